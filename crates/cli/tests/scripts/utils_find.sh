# findutils: find (-name, -type, -maxdepth, -mindepth, -exec, -print, operators) and xargs
# (-n, -I, -0, -t, exit statuses), compared with GNU findutils 4.9.
mkdir -p /tmp/ut/a/b/c /tmp/ut/d
echo 1 > /tmp/ut/a/x.sh
echo 2 > /tmp/ut/a/b/y.sh
echo 3 > /tmp/ut/a/b/c/z.txt
echo > /tmp/ut/d/empty
find /tmp/ut | sort
find /tmp/ut -name '*.sh' | sort
find /tmp/ut -type d | sort
find /tmp/ut -maxdepth 1 | sort
find /tmp/ut -mindepth 3 -type f | sort
find /tmp/ut -type f -name '*.txt' -o -name 'y*' | sort
find /tmp/ut ! -type d -name '[xz]*' | sort
find /tmp/ut/a -path '*b/c*' | sort
find /tmp/ut -iname 'X.SH'
find /tmp/ut/a/b -name y.sh -exec cat {} \;
find /tmp/ut -name '*.sh' -exec echo found {} + | tr ' ' '\n' | sort
find /tmp/ut/a -name c -prune -o -type f -print | sort
find /tmp/ut/d -type f -empty
find /tmp/nonexistent
echo $?
find /tmp/ut -foo
find /tmp/ut -exec
find /tmp/ut -type
find /tmp/ut -type q
find /tmp/ut -maxdepth x
find /tmp/ut -name
find /tmp/ut -name a.sh extra
find /tmp/ut -name x.sh -maxdepth 1
find /tmp/ut -warn -name x.sh -maxdepth 1
find /tmp/ut -exec nosuchcmd {} \;
echo $?
echo a b c d e | xargs -n 2
echo a b c | xargs
echo "one two" | xargs echo got
echo "x y" | xargs -I{} echo "<{}>"
echo "p q" | xargs -t -n 1 echo
echo "'quoted arg' plain" | xargs -n 1
echo "" | xargs echo empty
echo "" | xargs -r echo never
echo 1 2 | xargs sh -c 'exit 3'
echo $?
echo 1 | xargs nosuchcmd
echo $?
echo "'open" | xargs
echo $?
xargs -n 0
xargs -Z
find /tmp/ut -name '*.sh' | sort | xargs cat
