# ps cuts its lines as procps-ng 4.0.2 does (`ps/global.c` `set_screen_size`, `ps/parser.c`
# `choose_dimensions`, `ps/output.c` `check_header_width` and `show_one_proc`). The script's
# output is not a terminal, so lines are whole unless COLUMNS says otherwise; the width is the
# smallest multiple of COLUMNS that holds the columns, and only a last command or cgroup
# column is cut. -w makes it at least 132, -ww unlimited. On the default 2.6.35 preset the
# cgroup column is Red Hat's (procps 3.2.8), never cut; presets.rs's ps_width_procps_ng_4_19
# runs this on 4.19 (procps-ng 4.0.2).
sleep 1000 &
ps -o pid,args
COLUMNS=12 ps -o pid,args
COLUMNS=20 ps -o pid,comm,args
COLUMNS=30 ps -f -p $$,$!
COLUMNS=20 ps -f -p $$,$!
COLUMNS=12 ps -o args,pid
COLUMNS=0xd ps -o pid,args -p $!
COLUMNS=abc ps -o pid,args -p $!
COLUMNS=12 ps -w -o pid,args -p $!
COLUMNS=12 ps ww -o pid,args -p $!
COLUMNS=8 ps -o pid -p $$
export COLUMNS=14
ps -o pid,args -p $$
mkdir /cg
mount -t cgroup -o memory none /cg
mkdir /cg/a-group-with-a-long-name
echo $$ > /cg/a-group-with-a-long-name/tasks
ps -o pid,cgroup -p $$
ps -o cgroup,pid -p $$
