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
