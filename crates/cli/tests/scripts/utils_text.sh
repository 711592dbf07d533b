# coreutils text tools (cut, tr, sort, uniq, seq, expr, basename, dirname), compared with
# GNU coreutils 9 in the C locale: output, messages and exit statuses.
mkdir -p /tmp/ut
echo "root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin" > /tmp/ut/passwd
cut -d: -f1,7 /tmp/ut/passwd
cut -d: -f3- /tmp/ut/passwd
cut -d: --complement -f2-6 /tmp/ut/passwd
cut -c1-4,6 /tmp/ut/passwd
cut -b -3 --output-delimiter=_ /tmp/ut/passwd
echo "no delimiter here" | cut -d: -f2
echo "no delimiter here" | cut -d: -s -f2
echo "a:b:c" | cut -d: -f2 --output-delimiter=+
cut -f 0 /tmp/ut/passwd
echo $?
cut -f 3-1 /tmp/ut/passwd
cut -d ab -f1 /tmp/ut/passwd
cut -c1 -f1 /tmp/ut/passwd
cut -f x /tmp/ut/passwd
cut /tmp/ut/passwd
cut -d: -f1 /tmp/ut/nofile
echo $?
echo "Hello, World" | tr a-z A-Z
echo "Hello, World" | tr '[:upper:]' '[:lower:]'
echo "aaa   bbb" | tr -s ' '
echo "hello world" | tr -d lo
echo "hello 123 world" | tr -cd '0-9\n'
echo "abc" | tr abc 'x'
echo "a-b-c" | tr - _
tr
echo $?
tr a
tr -d a b
echo x | tr z-a x
echo "c 3
a 1
b 2
a 1
B 10" > /tmp/ut/s
sort /tmp/ut/s
sort -r /tmp/ut/s
sort -u /tmp/ut/s
sort -n -k2 /tmp/ut/s
sort -k2,2nr /tmp/ut/s
sort -f /tmp/ut/s
sort -t: -k3,3n /tmp/ut/passwd
echo "10K
2M
1G
512" | sort -h
sort /tmp/ut/s | uniq
sort /tmp/ut/s | uniq -c
sort /tmp/ut/s | uniq -d
sort /tmp/ut/s | uniq -u
sort -k 0 /tmp/ut/s
echo $?
sort -t ab /tmp/ut/s
sort /tmp/ut/nofile
echo $?
uniq /tmp/ut/nofile
seq 5
seq 2 2 10
seq 10 -3 1
seq -s, 1 5
seq -w 8 10
seq 0.5 0.25 1.5
seq -f '%05.1f' 1 3
seq 1 0
seq
echo $?
seq a
seq 1 0 5
expr 2 + 3 \* 4
expr 17 / 5 % 3
expr 10 \> 9
expr abc \< abd
expr length memory.limit_in_bytes
expr substr cgroup 2 3
expr index cgroup o
expr memory.usage_in_bytes : 'memory\.\(.*\)_in_bytes'
expr 0 \| ''
echo $?
expr 1 +
echo $?
expr a + 1
expr 5 / 0
echo $?
basename /sys/fs/cgroup/memory/
basename /tmp/ut/file.sh .sh
basename -a /a/b /c/d
basename -s .sh a.sh b.sh
dirname /sys/fs/cgroup/memory/
dirname tasks /a//b//
basename
basename a b c
