# The shell language: quoting, expansion, && || ;, $?, $(...), redirections, test.
echo plain 'single $HOME' "double $$" \$escaped
X=one Y="two words"
echo $X ${Y} "${Y}" "$X$Y"
echo "$(echo inner; echo lines)" end
echo $(echo split   words)
false || echo "after false: $?"
true && echo "after true: $?"
false && echo not printed; echo "status $?"
nosuchcommand; echo "status $?"
test 3 -lt 10 && echo "3 < 10"
[ abc = abc ] && [ abc != abd ] && echo strings
[ -d /proc ] && [ -f /proc/cgroups ] && [ ! -e /nope ] && echo files
[ x -eq 1 ]; echo "status $?"
[ 1 = 1; echo "status $?"
echo first > /tmp/f
echo second >> /tmp/f
cat /tmp/f
cat /nope 2> /tmp/err; echo "status $?"
cat /tmp/err
echo to-stderr >&2
cat < /tmp/f
echo x > /nope/file; echo "status $?"
cd /proc; pwd; cd /nope; echo "status $?"
cd; pwd
echo -n no newline; echo
/bin/echo a path in /bin names the same command
exit 7
echo not reached
