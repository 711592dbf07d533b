# dash's builtins: export, readonly, unset, type, command, printf, echo, trap, umask, shift,
# local, eval, read, getopts, alias, kill -l/-0, test. (Output compared with dash 0.5.12.)
cd /
export A=1 B; export -p
readonly R=2; readonly -p
unset A; echo "${A-unset}"
f() { :; }; type f echo if cd
command -v echo; command -V echo; command -v nosuch; echo $?
printf "%s-%d|%5.2f|%x|%o|%c|%b|%%\n" a 42 3.14159 255 8 xyz "a\tb"
printf "%s\n" 1 2 3
printf "%d\n" abc; echo rc=$?
printf "%5s|%-5s|%.2s|%03d|%+d|%e|%g\n" ab ab abcdef 7 5 1.5 0.0001
printf "%b\n" "\0101 \c tail"; echo
printf "%d %d\n" 1; printf "%s %s|" a b c; echo
printf "%5d|%-5d|%x|%X|%#o|%u\n" -3 4 -1 255 8 -1
printf "%*d|%-*s|\n" 5 3 4 ab; printf "%.*f\n" 2 3.14159; printf "%d\n" 0x10 010 -5 " 7"
echo "a\tb\c" x; echo -e "a\nb"; echo -n -e x; echo
trap "echo bye" EXIT; trap; trap - EXIT; trap "" INT; trap; trap - INT
umask; umask 027; umask; umask -S; umask 022
set -- a b c; shift; echo "$@"; shift 2; echo $#
x=1; g() { local x=2 y; echo $x; y=3; }; g; echo $x ${y-unset}
eval "echo a; echo b"; eval; echo $?
echo a b c | { read x y; echo "$x|$y"; }
printf "a\\\\b c\n" | { read -r x; echo "$x"; }
printf "a\\\\b c\n" | { read x; echo "$x"; }
read q < /dev/null; echo $?
printf 'l1\nl2\n' | while read line; do echo "got $line"; done
set -- -a -b arg -c; while getopts ab:c o; do echo "$o $OPTIND ${OPTARG-}"; done
alias ll="ls -l"; alias; alias ll; unalias ll
kill -l 15; kill -l 143; kill -0 $$; echo $?
test; echo $?; test -z; echo $?; [ 1 -a 0 ]; echo $?; [ "(" 1 ")" ]; echo $?; [ a \< b ]; echo $?; [ -n ]; echo $?
[ ! -e /nonexistent ] && echo notexist; [ 1 -lt 2 -o 3 -gt 4 ]; echo $?
[ -d / -a -f /nonexistent ]; echo $?; [ \( 1 = 1 \) -a ! 2 = 3 ]; echo $?
x=$(false); echo $?; echo $(exit 3); echo $?
set -o | head -3; set +o | head -3
(exit 4); echo $?
false; echo ${?}
type nosuch; echo $?
# exec with redirections only, set -v, command, $-, read with IFS, exec of a command.
exec 3>/tmp/ex; echo to3 >&3; exec 3>&-; cat /tmp/ex
exec 4>&1; exec >/tmp/ex2; echo hidden; exec >&4 4>&-; cat /tmp/ex2
set -v
echo verbose
set +v
command echo via command; command -v cd; command -V cd
v=$-; echo "flags [$v]"; set -eu; echo "flags [$-]"; set +eu
IFS=, read a b <<EOF
x,y,z
EOF
echo "$a|$b"
read -r line <<'EOF'
back\slash
EOF
echo "$line"
printf '%s\n' "$(printf 'a\nb\n\n\n')" | wc -l
echo $(( $(echo 3) + 4 ))
f() { echo "f:$*"; }; command f 2>/dev/null; echo "cmd f $?"
set -o; set +o
# ulimit: dash's layout with the simulated machine's limits (2.6.35's defaults for 1 GiB).
ulimit -a; ulimit; ulimit -n
ulimit -n 10; echo "status $?"; ulimit -n; ulimit -n 20; echo "status $?"
# getopts in a function, clusters, --, errors, silent mode.
parse() {
  OPTIND=1
  while getopts "ab:c" opt "$@"; do
    case $opt in
      a) echo "flag a" ;;
      b) echo "b=$OPTARG" ;;
      c) echo "flag c" ;;
      \?) echo "bad option" ;;
    esac
  done
  shift $((OPTIND - 1))
  echo "rest: $* (OPTIND=$OPTIND)"
}
parse -a -b val -c file1 file2
parse -acb x -- -a
parse -ab
parse -z -a
parse -- -a
parse plain -a
silent() { OPTIND=1; while getopts ":b:" o "$@"; do echo "o=$o arg=${OPTARG-unset}"; done; }
silent -b
silent -q
# printf: dash's conversions, flags, escapes, reuse, errors.
printf 'a\cb\n'; echo
printf '%c|%c|\n' x abc
printf '%-*d|\n' -6 5
printf '%5.1s|%.0s|\n' abc xyz
printf '%#x %#X %#o\n' 0 255 0
printf '%e %E %.2e\n' 12345.678 0.000123 -1
printf '%g %g %g %G\n' 100000 1000000 0.00001234 1e-10
printf '%f %.0f %.1f\n' 2.5 2.5 -0.05
printf '%d %d\n' "'a" '"b'
printf '%s\n' "\n stays"
printf '\101\102\n'
printf '%5%|\n'
printf 'no newline'
echo
printf '%b' 'x\ny\n'
printf '%u\n' -1
printf '%i %d\n' 1.5 2
printf 'x%sy\n'
printf '%s %s %s\n' a b
printf -- '--%s\n' dash
printf 'a%5%b\n'; echo " status $?"
# cd: -, an empty operand, HOME, PWD/OLDPWD.
cd /tmp; cd /; cd -; pwd; cd -
echo $OLDPWD $PWD
cd /tmp/../tmp/./; pwd
cd ""; echo $?; pwd
HOME=/tmp; cd; pwd
cd /
exec sh -c 'echo exec replaced; exit 5'
echo not reached
