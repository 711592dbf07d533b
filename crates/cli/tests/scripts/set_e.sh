# set -e: a failing command stops the script, except on the left of && and ||.
set -e
false || echo "left of || is fine"
false && echo never
echo "still running"
mkdir /x
mkdir /x
echo "not reached"
