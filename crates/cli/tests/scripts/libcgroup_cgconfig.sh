# libcgroup 0.41 /etc/cgconfig.conf (src/lex.l, src/parse.y, src/config.c) applied by
# cgconfigparser, removed by cgclear, and written back by cgsnapshot.
cat /etc/cgconfig.conf
cgconfigparser -l /etc/cgconfig.conf
echo $?
lssubsys -am
echo 'alice:x:1000:1000::/home/alice:/bin/sh' >> /etc/passwd
echo 'alice:x:1000:' >> /etc/group
echo '# two hierarchies, two groups
mount {
	cpu = /cgroup/cpu;
	cpuacct = /cgroup/cpu;
	memory = /cgroup/memory;
	"name=blue" = /cgroup/blue;
}

group daemons/www {
	perm {
		task {
			uid = alice;
			gid = alice;
			fperm = 660;
		}
		admin {
			uid = root;
			gid = alice;
			dperm = 775;
		}
	}
	cpu {
		cpu.shares = 1000;
	}
	memory {
		memory.limit_in_bytes = 64M;
	}
}

group daemons/ftp {
	cpu {
		cpu.shares = "500";
	}
}' > /etc/cgconfig.conf
cgconfigparser -l /etc/cgconfig.conf
echo $?
cat /proc/mounts
lssubsys -am
lscgroup
ls -l /cgroup/cpu/daemons/www
ls -ld /cgroup/cpu/daemons/www
cgget -n -r cpu.shares daemons/www daemons/ftp
cgget -n -r memory.limit_in_bytes daemons/www
cgsnapshot -s memory
echo cpu.shares > /tmp/white
cgsnapshot -t -w /tmp/white cpu
# Warnings on stderr, for the first group of a hierarchy only.
cgsnapshot memory 2>&1 >/dev/null
cgsnapshot -b /nonexistent
echo $?
cgsnapshot -f /tmp/snap.conf -s cpu
cat /tmp/snap.conf
# cgclear -l removes the file's groups and unmounts hierarchies left empty.
cgclear -l /etc/cgconfig.conf
echo $?
lssubsys -am
lscgroup
cgclear
lssubsys -am
# Parse errors: bison's message on stderr, the library's on stdout, and 0.41's
# off-by-one error text ("Have multiple paths for the same namespace" for a parse failure).
echo 'group a { cpu { cpu.shares = 100; } # comment
}' > /tmp/c1.conf
cgconfigparser -l /tmp/c1.conf
echo $?
echo 'group a {
	perm {
		task { uid = 0; }
		admin { uid = root; }
	}
	cpu { }
}' > /tmp/c2.conf
cgconfigparser -l /tmp/c2.conf
echo $?
echo 'group a {
	cpu { cpu.shares = 1; }
	perm { task { uid = root; } admin { uid = root; } }
}' > /tmp/c3.conf
cgconfigparser -l /tmp/c3.conf
echo $?
echo 'group task { cpu { } }' > /tmp/c4.conf
cgconfigparser -l /tmp/c4.conf
echo $?
echo 'mount { cpu = /cgroup/cpu; }
group bad { cpu { cpu.shares = abc; } }' > /tmp/c5.conf
cgconfigparser -l /tmp/c5.conf
echo $?
lssubsys -am
ls /cgroup
cgconfigparser -l /nonexistent
echo $?
cgconfigparser
echo $?
cgconfigparser extra
echo $?
cgconfigparser -t nosuch -l /etc/cgconfig.conf
echo $?
# cgclear without -l: every group, every hierarchy.
cgconfigparser -l /etc/cgconfig.conf
mkdir /cgroup/memory/extra
cgclear
echo $?
cat /proc/mounts
cgclear
echo $?
