# Redirections (>, >>, <, <>, >|, N>&M, N>&-, exec) and here-documents (<<, <<-, quoted
# delimiters) on the simulated filesystem. (Output compared with dash 0.5.12.)
echo one > /tmp/r1; echo two >> /tmp/r1; cat < /tmp/r1
echo err 2>&1 >&2 | cat
{ echo out; echo err >&2; } 2>/tmp/r2 >/tmp/r3; cat /tmp/r2 /tmp/r3
exec 3>/tmp/x3; echo three >&3; exec 3>&-; cat /tmp/x3
echo x >&3; echo "status $?"
echo hi >&5; echo "status $?"
exec 4</tmp/r1; read l <&4; echo "read $l"; exec 4<&-
echo rw <> /tmp/rw; cat /tmp/rw
echo clob >| /tmp/r1; cat /tmp/r1
cat <<EOF
a $((1+1)) \$x `echo bq`
	tab kept
EOF
cat <<-"EOF"
	$nothing here
	EOF
cat <<A; cat <<B
first
A
second
B
while read a b; do echo "$b $a"; done <<EOF
1 2
3 4
EOF
f() { cat; } <<EOF
func heredoc
EOF
f
cat < /nonexist; echo $?
echo x > /nonexistdir/f; echo $?
: > /tmp/empty; cat /tmp/empty; echo "[empty]"
echo 2>&1 hi
ls /nonexist 2>/dev/null; echo $?
for i in 1 2; do echo $i; done > /tmp/loop; cat /tmp/loop
if true; then echo inif; fi 2>&1 | cat
