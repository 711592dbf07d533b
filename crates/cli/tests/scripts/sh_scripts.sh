# Executing files: scripts with and without #!/bin/sh by path and via PATH, sh FILE, sh -c with
# $0 and arguments, . (source), exported variables. (Output compared with dash 0.5.12.)
cat > /tmp/s1.sh <<'EOF'
#!/bin/sh
echo "s1: $0 $# $*"
exit 7
EOF
chmod 755 /tmp/s1.sh
/tmp/s1.sh a b; echo "status $?"
cat > /tmp/s2 <<'EOF'
echo "s2 no shebang: $1"
echo "var: ${V-unset} exported: ${E-unset}"
EOF
chmod 755 /tmp/s2
V=1; export E=2
/tmp/s2 arg
sh /tmp/s2 x
sh -c 'echo "c: $0 $1 $#"' name one two
sh -c 'exit 3'; echo "sh -c status $?"
PATH=/tmp:$PATH; s1.sh p; echo "via PATH $?"
cat > /tmp/lib.sh <<'EOF'
libvar=fromlib
libf() { echo "libf $1"; }
EOF
. /tmp/lib.sh; echo $libvar; libf z
cd /tmp && . lib.sh 2>/dev/null; echo "dot status $?"
chmod 644 /tmp/s2; /tmp/s2; echo "noexec $?"
/tmp/nonexist; echo "missing $?"
nonexistcmd; echo "missing cmd $?"
sh -c 'echo $(( 1 +'; echo "syntax $?"
printf 'echo from stdin $$ >/dev/null; echo ok\n' | sh
sh -x -c 'echo a'
sh -e -c 'false; echo no'; echo $?
sh -c; echo $?
sh -Z -c 'echo'; echo $?
sh /nonexist; echo $?
sh -c 'echo $0 $#' zero a b
