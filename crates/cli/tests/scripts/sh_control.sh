# The shell language (dash 0.5.12 as reference; output compared with dash): compound commands,
# functions, loops with break/continue, case, groups, subshells, arithmetic, here-documents.
for i in 1 2 3; do echo "i=$i"; done
for i in a b; do for j in x y; do [ $j = y ] && continue 2; echo $i$j; done; done
n=0; while [ $n -lt 3 ]; do n=$((n+1)); echo n=$n; done
until [ $n -eq 0 ]; do n=$((n-1)); done; echo "after until $n"
if false; then echo no; elif true; then echo elif; else echo else; fi
if [ 1 = 2 ]; then echo no; else echo else-branch; fi
case hello in h*o) echo glob;; *) echo star;; esac
case x.c in *.h|*.c) echo source;; esac
case "a b" in "a b") echo quoted;; esac
case foo in bar) echo bar;; esac; echo "case status $?"
f() { echo "in f: $# args: $*"; return 3; }
f a b c; echo "f returned $?"
g() { local x=inner; echo "g sees $x"; }
x=outer; g; echo "x is $x"
{ echo grouped; echo two; } > /tmp/g.txt; cat /tmp/g.txt
(x=sub; echo "in subshell $x"); echo "x still $x"
cd /; (cd /tmp; pwd); pwd
! false; echo "bang $?"
! true; echo "bang $?"
true && false || echo "or ran"
echo $((1+2*3)) $((10/3)) $((10%3)) $((1<<4)) $(( (1+2)*3 ))
i=5; echo $((i*2)) $((i+=1)) $i
echo ${unset:-default} ${unset-dash} ${empty:=assigned} $empty
v=hello.tar.gz; echo ${v%.*} ${v%%.*} ${v#*.} ${v##*.} ${#v}
echo ${v:+alt} ${nope:+alt}x
set -- a "b c" d; echo $# "$1" "$2"; for a in "$@"; do echo "[$a]"; done
for a in $*; do echo "<$a>"; done
shift; echo "$@"; shift 2; echo "$#"
echo "`echo back quoted`"
cat <<EOF2
heredoc $x $((2+2))
  indented
EOF2
cat <<'EOF3'
quoted $x
EOF3
cat <<-EOF4
	tabs stripped $x
	EOF4
echo done
