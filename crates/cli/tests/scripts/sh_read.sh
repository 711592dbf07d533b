# read: IFS splitting (white space and other separators), backslashes with and without -r,
# the last name taking the rest, end of file. (Output compared with dash 0.5.12.)
printf '  lead  trail  \n' | { read a; echo "[$a]"; }
printf '  lead  mid  trail  \n' | { read a b; echo "[$a][$b]"; }
printf 'a b c d\n' | { read a b c; echo "[$a][$b][$c]"; }
printf 'one\n' | { read a b c; echo "[$a][$b][$c]"; }
printf 'x:y:z\n' | { IFS=: read a b; echo "[$a][$b]"; }
printf 'x::z\n' | { IFS=: read a b c; echo "[$a][$b][$c]"; }
printf 'a\\\nb\n' | { read a; echo "[$a]"; }
printf 'a\\\nb\n' | { read -r a; echo "[$a]"; }
printf 'a\\ b c\n' | { read a b; echo "[$a][$b]"; }
printf 'no newline' | { read a; echo "$? [$a]"; }
printf '' | { read a; echo "$? [$a]"; }
printf 'l1\nl2\nl3\n' | { n=0; while read l; do n=$((n+1)); done; echo "$n lines"; }
printf 'a b\n' | { IFS= read a; echo "[$a]"; }
printf '  x  \n' | { IFS= read -r a; echo "[$a]"; }
read 2>/dev/null; echo "no name: $?"
