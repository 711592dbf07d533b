while :; do :; done
until false; do x=$x$x; done
f() { f; }; f
for i in 1 2; do (while true; do :; done); done
