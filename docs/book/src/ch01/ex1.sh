# cgsim run --echo docs/book/src/ch01/ex1.sh
mkdir /tmp/demo
echo hello > /tmp/demo/file
cat /tmp/demo/file
cat /nonexistent; echo "status $?"
