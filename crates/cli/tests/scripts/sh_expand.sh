# Word expansion as dash does it: IFS field splitting, $@/$*, every ${...} form, arithmetic,
# quoting, command substitution, tilde. (Output compared with dash 0.5.12.)
IFS=:; x=a:b::c; set -- $x; echo $#; for f in "$@"; do echo "[$f]"; done
IFS=' :'; x=' a : b '; set -- $x; echo $# "$*"
unset IFS; x='  a   b  '; set -- $x; echo $#
IFS=; x='a b'; set -- $x; echo $#
unset IFS
set -- one two three
echo "$#" "$*" "${#}" "${1}" "${3}" "$9" "${10-ten}"
echo "${#1}"
a=abcdef; echo ${a#a*c} ${a#"a*c"} ${a%[de]f} ${a%%[a-c]*}
p='*'; echo "${a#$p}" ${a#"$p"}
echo ${x:-$(echo sub)} "${x:-"a b"}"
y=; echo ${y:-empty} ${y-unsetonly} ${y:+plus} ${y+plusset}
echo ${z:=zz} $z
echo $((3 * (4 + 5))) $((7 >> 1)) $((~5)) $((!0)) $((-3 % 2)) $((2 > 1 && 0 || 5))
n=3; echo $((n == 3 ? 10 : 20)) $((n *= 4)) $n $((n -= 2)) $((n /= 5)) $((n <<= 3)) $((n |= 1)) $((n ^= 3)) $((n &= 6)) $((n %= 4))
echo $(( 0x1F + 017 + 9 ))
echo '$a' "$a" \$a "\$a" "a\b" 'a\b'
echo "nested $(echo "inner $(echo deep)")"
echo `echo a \`echo b\``
echo ~root ~nosuchuser
echo a{b,c}d
echo "$@" | cat
set --; echo "[$@]" "[$*]" $#
for i in "$@"; do echo never; done
set -- "a b" c
for i; do echo "<$i>"; done
echo ${#@} ${#*}
v="x y"; set -- $v; echo $1
f() { echo "$1 $#"; }; f fa fb
echo "${v%% *}" "${v#* }"
echo $((010 + 0x10 + 10))
x=5; x=$((x+1)) y=$x; echo $x $y
# Here-documents inside $(...), functions and pipelines; pathname expansion (hidden files,
# . and .., brackets, directories, no match); quoting corner cases.
x=$(cat <<EOF
hello $((1+1))
EOF
)
echo "[$x]"
f() {
  cat <<-END
	in function $1
	END
}
f arg
if true; then
  cat <<EOF | wc -l
upper me
EOF
fi
mkdir -p /tmp/g && cd /tmp/g && : > a.txt && : > b.txt && : > .hidden && mkdir d
echo *; echo *.txt; echo .*; echo [ab].txt; echo [!a]*; echo d/; echo */; echo nomatch*; echo "*"
for f in *.txt; do echo "file $f"; done
case a.txt in *.txt) echo txt;; esac
cd / && rm -rf /tmp/g 2>/dev/null
echo ${x:+"quoted alt"} "${x#"hel"}" ${x%?}
set -- 1 2 3 4 5 6 7 8 9 10 11; echo $10 ${10} ${11}
echo "$(echo "a   b")" $(echo "a   b")
echo \"\' "\"" '"'
a="x*"; echo "$a" $a
# $@ and $* in assignments and with IFS, "${@:-w}", nested quotes in ${x:-"w"}, empty fields.
set -- "a b" c
x=$@; echo "[$x]"
x="$*"; echo "[$x]"
IFS=-; echo "$*"; x=$*; echo "[$x]"; unset IFS
IFS=; echo "$*"; set -- $*; echo $#; unset IFS
set -- "a b" c
for i in "${@:-none}"; do echo "<$i>"; done
set --; for i in "${@:-none}"; do echo "<$i>"; done
y="v w"; echo "${x:-"$y"}" ${unset:-"$y"} ${unset:-$y}
echo "${unset:-'q'}" ${unset:-'q r'}
z='/nonexist/*'; echo $z "$z" ${z}
echo ${unset:-/nonexist/*}
echo "a${unset}b" a${unset}b ''${unset}
e=; set -- $e; echo $#; set -- "$e"; echo $#; set -- $e''; echo $#
echo $((1+${#y}))
n=5; echo $((n)) $(($n)) $((n+n*2)) $(( n > 3 ))
echo "$(( 1 + 2 ))" '$((1+2))'
echo $(echo 'a  b') "$(echo 'a  b')"
a=1; a=$((a + 1)); : $((a += 10)); echo $a
echo ${a}x ${a}_ $a_ "$a"_
