# /etc/passwd and /etc/group (a minimal Debian's, from base-passwd) and the tools that resolve
# names through them: coreutils id, whoami, chown, ls -l; util-linux setpriv.
cat /etc/passwd
cat /etc/group | head -3
ls -l /etc
id
id -u
id -un
id -Gn
whoami
id daemon
id nobody
id nosuch
id 33
id -n
id -x
whoami extra
# Scripts may add users: the files are ordinary root-owned files.
echo 'alice:x:1000:1000:Alice:/home/alice:/bin/sh' >> /etc/passwd
echo 'alice:x:1000:' >> /etc/group
echo 'staff:x:50:alice' >> /etc/group
id alice
setpriv --reuid=alice --regid=alice id
setpriv --reuid=alice whoami
setpriv --reuid=1001 whoami
setpriv --reuid=1001 --regid=1001 id
setpriv --reuid=nosuch id
setpriv --regid=nosuch id
mkdir /tmp/d /tmp/e
chown alice:alice /tmp/d
chown daemon: /tmp/e
ls -l /tmp
chown 2000:3000 /tmp/e
ls -l /tmp
chown nosuch /tmp/d
chown alice:nosuch /tmp/d
chown :nosuch /tmp/d
chown www-data.www-data /tmp/d
ls -l /tmp
chown alice
chown
# coreutils 9.1: a missing operand is followed by the usage hint (usage (EXIT_FAILURE)).
mkdir
rmdir
