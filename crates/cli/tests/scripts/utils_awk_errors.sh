# awk's runtime errors as gawk 5 prints them: the source (`cmd. line` or the -f file) and the
# line of the statement, `(FILENAME=F FNR=N)` once input has been read, status 2; a literal 0
# divisor is an error while parsing (`error:`, status 1, nothing runs). Every message is
# gawk 5.2's.
awk 'BEGIN { x = 1
y = 0
print x / y }'; echo "rc=$?"
echo a | awk '{ x = 1
print x % 0 }'; echo "rc=$?"
printf 'BEGIN {\n  a = 1\n}\nEND {\n  print 1/0\n}\n' > /tmp/p.awk
awk -f /tmp/p.awk </dev/null; echo "rc=$?"
printf 'function f(x) {\n  return x / y\n}\nBEGIN { f(1) }\n' > /tmp/q.awk
awk -f /tmp/q.awk; echo "rc=$?"
echo x | awk '{ $(-1) = 2 }'; echo "rc=$?"
awk 'BEGIN {
  x[1]=1
  x = 2 }'; echo "rc=$?"
awk 'BEGIN { printf "%d\n", 1;
 f() }'; echo "rc=$?"
printf 'a b\nc d\n' | awk '
{ n = $2 + 0 }
NR == 2 { print 1 / n }'; echo "rc=$?"
awk 'BEGIN{x=1; print x /= 0}'; echo "rc=$?"
awk 'BEGIN{x=1; x %= 0}'; echo "rc=$?"
awk 'BEGIN{x=1; print x / (0)}'; echo "rc=$?"
awk 'BEGIN{x=1; print x / -0; print 2 % 0.0}'; echo "rc=$?"
echo x | awk 'END { print 1/$2 }'; echo "rc=$?"
printf '1\n2\n' > /tmp/in1; awk '{ print 10 / ($1 - 2) }' /tmp/in1; echo "rc=$?"
awk 'function f(a) {
  return a + 1
}
BEGIN { x = f(1)
  y = x / (x - 2) }'; echo "rc=$?"
