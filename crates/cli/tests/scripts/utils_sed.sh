# GNU sed 4.9: substitutions, addresses and ranges, -n/-e/-E/-i, and its script errors
# (`-e expression #N, char M: ...`, exit 1) and input errors (exit 2).
mkdir -p /tmp/ut
echo "memory.limit_in_bytes 1024
memory.usage_in_bytes 512
cpu.shares 1024
memory.failcnt 0" > /tmp/ut/f
sed 's/memory/mem/' /tmp/ut/f
sed 's/1024/1K/g' /tmp/ut/f
sed -n '/memory/p' /tmp/ut/f
sed -n '2,3p' /tmp/ut/f
sed '$d' /tmp/ut/f
sed '1d;3d' /tmp/ut/f
sed -n '/usage/,/cpu/p' /tmp/ut/f
sed '2q' /tmp/ut/f
sed -n '$=' /tmp/ut/f
sed -e 's/ .*//' -e 's/\./_/g' /tmp/ut/f
sed -E 's/^([a-z]+)\.([a-z_]+) ([0-9]+)$/\3 \2 (\1)/' /tmp/ut/f
sed 's/\([a-z]*\)\.\(.*\)/\2.\1/' /tmp/ut/f
sed 's/e/E/2' /tmp/ut/f
sed 's/E/x/gI' /tmp/ut/f
sed -n 's/cpu/CPU/p' /tmp/ut/f
sed '/cpu/!d' /tmp/ut/f
sed '2i\
inserted' /tmp/ut/f
sed '$a appended' /tmp/ut/f
sed '/failcnt/c changed' /tmp/ut/f
sed 'y/abc/ABC/' /tmp/ut/f
sed -n '1~2p' /tmp/ut/f
sed '0,/1024/s//one-k/' /tmp/ut/f
sed 's/[[:digit:]]\+/<&>/' /tmp/ut/f
sed 's/\w\+/\u&/' /tmp/ut/f
sed '=' /tmp/ut/f | sed 'N;s/\n/ /'
sed -n '/cpu/{p;q}' /tmp/ut/f
sed -s -n '$p' /tmp/ut/f /tmp/ut/f
sed -n '$p' /tmp/ut/f /tmp/ut/f
echo "x y z" | sed 's/ /\n/g'
cp_out=$(sed -n 1p /tmp/ut/f)
echo "$cp_out"
sed -i 's/1024/2048/' /tmp/ut/f
cat /tmp/ut/f
sed -i.bak -e '1d' /tmp/ut/f
cat /tmp/ut/f /tmp/ut/f.bak
echo 42 | sed 's/4/four/;s/2/two/'
echo "TST_CNT=3 x" | sed 's/.*TST_//; s/[="} \t\/:`].*//'
echo "trailing	  " | sed 's/[ \t]*$/|/'
echo "A.B" | sed 's/\x41/a/; s/\./-/'
sed k /tmp/ut/f
echo $?
sed 's/a' /tmp/ut/f
sed 's/a/b/x' /tmp/ut/f
sed '3,p' /tmp/ut/f
sed '/x/' /tmp/ut/f
sed 's/\(/x/' /tmp/ut/f
sed '{p' /tmp/ut/f
sed 'p;}' /tmp/ut/f
sed 'b nowhere' /tmp/ut/f
sed 's/a/\1/' /tmp/ut/f
sed -e p -e 'k' /tmp/ut/f
sed p /tmp/ut/nofile
echo $?
sed -i p
echo $?
sed -n
echo $?
