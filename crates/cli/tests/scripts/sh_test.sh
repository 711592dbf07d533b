# test / [ as dash's bltin/test.c parses them: file, string and integer tests, ! -a -o ( ),
# POSIX's rules by argument count, and its error messages. (Output compared with dash 0.5.12.)
t() { "$@"; echo "$* -> $?"; }
t test -d /
t test -f /
t test -e /nonexist
echo x > /tmp/s; t test -s /tmp/s
t test -r /
t test -w /
t test -x /
t test -L /
t test -h /
t test -c /dev/null
t test -b /dev/null
t test -p /dev/null
t test -n ""
t test -z ""
t test abc
t test ""
t test !
t test ! ""
t test a = a
t test a != a
t test a '<' b
t test b '>' a
t test 10 -gt 9
t test 010 -eq 10
t test " 5 " -eq 5
t test 1 -eq x
t test -5 -lt 3
t test a = a -a b = c
t test a = a -o b = c
t test ! a = a
t test '(' a = b ')'
t test '(' a = b
t test a b
t test a = b c
t test -t 1
t test -t x
t test -nt
t test / -ef /
t test / -nt /
t test -o
t test -a
t test = =
t test ! = =
t test -z -z
t [ -n x ]
t [ x
t [ ]
t [ ! ]
test a b; echo $?
test a = b c; echo $?
test a b c d e; echo $?
test x -a; echo $?
