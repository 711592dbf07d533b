# awk reads an operand and a getline < FILE file a buffer at a time whatever RS is (gawk 5.2's
# get_a_record): a regular-expression RS, paragraph mode (RS="") and getline < FILE; each line
# prints what gawk 5.2.1 prints (checked with dash 0.5.12 and gawk on Debian 12).
printf 'a1b22c333d\n' | awk 'BEGIN{RS="[0-9]+"} {print NR": "$0}'
printf 'one\ntwo\n\n\n\nthree four\nfive\n\n' | awk 'BEGIN{RS=""} {print NR": "$1"|"$NF"|"NF}'
printf '\n\n\nlead\n\nx\n' | awk 'BEGIN{RS=""} {print NR": "$0}'
yes | awk 'BEGIN{RS="y\n+"} NR==3{print "three"; exit}'
echo "status $?"
seq 5 > /tmp/five
awk 'BEGIN{while ((getline l < "/tmp/five") > 0) s = s l; print s; close("/tmp/five"); getline l < "/tmp/five"; print l}'
awk 'BEGIN{RS="[24]"; while ((getline l < "/tmp/five") > 0) printf "[%s]", l; print ""}'
awk 'BEGIN{print (getline l < "/nonexistent")}'
echo x | awk '{getline < "/tmp/five"; print $0, NR, NF}'
awk 'BEGIN{ n = 0; while ((getline l < "/dev/stdin") > 0 && n < 2) { n++; print l } }' < /tmp/five
yes | awk 'BEGIN{ while ((getline l < "-") > 0) if (++n == 3) { print "got", n; exit } }'
printf 'a--b---c' | awk 'BEGIN{RS="-+"} {printf "<%s>", $0} END{print ""}'
