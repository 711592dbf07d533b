# awk, cut and uniq read their input a buffer at a time, as sed, grep and tr do, so a reader
# that exits early stops them (and yes before them) with SIGPIPE instead of waiting for yes to
# stop by itself at 4 MiB (which prints a message). Every line but the one marked prints what
# dash 0.5.12 with coreutils 9.1 and gawk 5.2 print.
yes | cut -c1 | head -n 2
yes | awk '{print NR; if (NR==3) exit}'
yes | awk 'NR==2{exit} END{print "end", NR}'
yes | awk '{print NR}' | uniq | head -n 2
yes abc:def | cut -d: -f2 | head -n 1
seq 100000 | uniq | head -n 2
yes | awk 'BEGIN{while ((getline l) > 0 && n < 2) n++; print n, l, NR}'
printf '1\n2\n3\n4\n' | awk 'NR==1{getline; print "got", $0} END{print NR}'
printf 'x;y;z' | awk 'BEGIN{RS=";"} {print NR": "$0}'
# Each input of cut ends its last line, newline or not.
printf 'a:b\nc\n' > /tmp/f1; printf 'x:y' > /tmp/f2
cut -d: -f2 /tmp/f1 /tmp/nosuch /tmp/f2; echo "status $?"
printf 'a\nb\nb\nc' | uniq -c
printf 'a\na\nb\nc\nc\n' | uniq -d
# Differs: the real uniq keeps its one line in stdio's buffer and waits for yes forever;
# cgsim's yes stops at 4 MiB, then uniq's line comes out.
yes | uniq | head -n 1
