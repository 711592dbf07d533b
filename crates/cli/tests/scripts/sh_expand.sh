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
