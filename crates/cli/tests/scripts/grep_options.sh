# GNU grep 3.8's options as tutorials use them, checked against the real grep (LC_ALL=C).
mkdir /g; cd /g
printf 'cache 1\nrss 2\nswap 3\nrss_huge 4\nmapped_file 5\n' > stat
printf 'x\nrss 9\n' > other
# -e is repeatable; -w needs whole words (rss_huge is not the word rss).
grep -w -e swap -e rss stat
# Patterns separated by newlines are several patterns.
grep "$(printf 'cache\nswap')" stat
grep -n rss stat
grep -o 'rss[_a-z]*' stat
grep -x 'rss 2' stat; echo "status $?"
grep -c rss stat other
grep -h rss stat other
grep -H cache stat
grep -l rss stat other
grep -L cache stat other
grep -m 1 rss stat
grep -m 0 rss stat; echo "status $?"
# Context: -A/-B/-C NUM and -NUM, `-` after the name for context lines, `--` between groups.
printf 'a1\nb\nc\na2\nd\ne\nf\ng\na3\n' > ctx
grep -n -C1 a ctx other
grep -A1 -B0 -C3 c ctx
grep -2 d ctx
grep -o -C1 'a.' ctx
grep -m 1 -A1 a ctx
# -r searches the tree (the working directory without operands, names without ./).
mkdir -p tree/sub; echo 'rss 1' > tree/one; echo 'rss 2' > tree/sub/two
grep -r rss tree
cd tree; grep -r 'rss 2'; cd ..
grep rss tree; echo "status $?"
# Errors: 2, unless -q selected a line; -s hides the messages.
grep rss nope stat; echo "status $?"
grep -s rss nope; echo "status $?"
grep -q rss nope stat; echo "status $?"
grep -A x rss stat; echo "status $?"
grep -m x rss stat; echo "status $?"
grep -k rss stat; echo "status $?"
grep; echo "status $?"
printf 'rss 7\n' | grep -H rss
