# useradd, groupadd, userdel, groupdel (shadow-utils 4.13 on Debian 12's defaults): lines
# appended to /etc/passwd and /etc/group, their messages and exit statuses.
useradd alice; echo "status $?"
useradd alice; echo "status $?"
useradd -m -u 1500 -G users,sudo -s /bin/bash bob; echo "status $?"
useradd -u 1500 carol; echo "status $?"
useradd -g nogroup -G nosuch carol; echo "status $?"
useradd -g nosuch carol; echo "status $?"
useradd -g users -c 'Carol C' -d /srv/carol carol; echo "status $?"
useradd -r svc; echo "status $?"
useradd 'Bad Name'; echo "status $?"
useradd -u abc dave; echo "status $?"
useradd -s /bin/zsh erin; echo "status $?"
useradd -x frank 2>/dev/null; echo "status $?"
useradd -x frank 2>&1 | head -1
useradd 2>&1 | head -1
groupadd alice; echo "status $?"
useradd frank -m -d /home/bob; echo "status $?"
tail -7 /etc/passwd
tail -8 /etc/group
ls -ld /home/bob /home/frank
ls /home
id bob
id carol
groupadd devs; echo "status $?"
groupadd devs; echo "status $?"
groupadd -f devs; echo "status $?"
groupadd -g 100 g2; echo "status $?"
groupadd -f -g 100 g2; echo "status $?"
groupadd -g abc g3; echo "status $?"
groupadd -r sysg; echo "status $?"
groupadd Bad; echo "status $?"
grep -E '^(devs|g2|sysg):' /etc/group
chown bob:devs /tmp
ls -ld /tmp
groupdel bob; echo "status $?"
groupdel nosuch; echo "status $?"
groupdel devs; echo "status $?"
su bob -c 'sleep 100 &'
ps -o user,comm -C sleep
userdel bob; echo "status $?"
killall sleep
userdel -r bob; echo "status $?"
ls /home
userdel bob; echo "status $?"
grep -c '^bob:' /etc/passwd /etc/group
touch /etc/shadow
useradd grace; echo "status $?"
grep grace /etc/passwd /etc/shadow
userdel grace
grep -c grace /etc/shadow
useradd -h | head -2
groupadd --help | head -1
userdel -q; echo "status $?"
