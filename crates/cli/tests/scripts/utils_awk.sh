# awk (gawk 5 behaviour): fields, -F, -v, patterns and ranges, arrays, printf, string and
# math functions, getline, redirections, and gawk's syntax and runtime errors.
mkdir -p /tmp/ut
echo "root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin" > /tmp/ut/passwd
echo "cache 1048576
rss 4194304
mapped_file 0
pgpgin 1200
pgpgout 300
total_rss 4194304" > /tmp/ut/stat
awk '{ print $1 }' /tmp/ut/stat
awk '$1 == "rss" { print $2 / 1024 " KiB" }' /tmp/ut/stat
awk '/^pgpg/ { sum += $2 } END { print "pgpg:", sum, NR }' /tmp/ut/stat
awk -F: '{ print $1 "=" $NF }' /tmp/ut/passwd
awk -v limit=1000000 '$2 > limit { printf "%-12s %10d\n", $1, $2 }' /tmp/ut/stat
awk 'NR==2, NR==4' /tmp/ut/stat
awk 'NR % 2 == 0 { print NR": "$0 }' /tmp/ut/stat
awk '{ n[substr($1, 1, 3)]++ } END { for (k in n) print k, n[k] }' /tmp/ut/stat | sort
awk '{ $2 = $2 * 2; print }' /tmp/ut/stat
awk 'BEGIN { OFS = "," } { $1 = $1; print; print NF }' /tmp/ut/stat | head -2
awk 'END { print $0, NF }' /tmp/ut/stat
awk 'BEGIN { x = "abc"; print length(x), toupper(x), index(x, "c"), substr("cgroup", 2, 3) }'
awk 'BEGIN { s = "a-b-c"; n = split(s, parts, "-"); print n, parts[1] parts[3]; gsub(/-/, "+", s); print s }'
awk 'BEGIN { if (match("memory.limit_in_bytes", /limit_[a-z]+/)) print RSTART, RLENGTH }'
awk 'BEGIN { printf "%5.2f|%-5s|%05d|%x|%e|%c\n", 3.14159, "ab", 42, 255, 12345.678, 65 }'
awk 'BEGIN { print 1/3, 100000 * 100000, 2^53, int(-3.7), sqrt(16), 7 % 3, -7 % 3 }'
awk 'BEGIN { print (1 < 2) ? "yes" : "no"; print "10" < "9", 10 < 9 }'
awk 'BEGIN { i = 0; while (i < 3) { i++; if (i == 2) continue; print "i=" i } }'
awk 'BEGIN { for (i = 3; i > 0; i--) printf "%d ", i; print "" }'
awk 'BEGIN { do { n++ } while (n < 5); print n }'
awk 'function max(a, b) { return a > b ? a : b } { m = max(m, $2) } END { print m }' /tmp/ut/stat
awk 'BEGIN { a["x"] = 1; delete a["x"]; print ("x" in a), length(a) }'
awk 'BEGIN { a[1, 2] = 3; for (k in a) { split(k, p, SUBSEP); print p[1], p[2], a[k] } }'
echo "one two three" | awk '{ print NF, $NF, $(NF-1) }'
echo "a b c" | awk '{ NF = 2; print }'
echo "x" | awk '{ print v }' v=7 -
awk '$2 == 0 { exit 3 } END { print "end" }' /tmp/ut/stat
echo $?
awk 'BEGIN { while ((getline line < "/tmp/ut/stat") > 0) n++; print n }'
awk 'BEGIN { "echo hi" | getline x; print x }'
awk '{ print $1 > "/tmp/ut/names" }' /tmp/ut/stat
cat /tmp/ut/names
awk '{ print $2 | "sort -n" }' /tmp/ut/stat
awk 'BEGIN { system("echo from system"); print "after" }'
echo "a	b  c" | awk '{ gsub(/[ \t]+/, "_"); print; print split("x\ty", t, "\t") }'
echo "3 4" | awk '{ print $1 * $2, $1 / $2, $1 - $2 }'
awk 'BEGIN { printf "%s\n" }'
echo $?
awk 'BEGIN { print ( }'
echo $?
awk 'BEGIN {'
awk 'BEGIN { x = 1; y = 0; print x / y }'
echo $?
awk '{ print }' /tmp/ut/nofile
echo $?
awk -f /tmp/ut/nofile.awk
echo $?
