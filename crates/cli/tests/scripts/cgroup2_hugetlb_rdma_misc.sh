# hugetlb (mm/hugetlb_cgroup.c), rdma (kernel/cgroup/rdma.c) and misc (kernel/cgroup/misc.c)
# on the default hierarchy of 6.6. The machine has no huge pages (nr_hugepages 0), no RDMA
# device and no AMD SEV, so nothing is ever charged.
mount -t cgroup2 none /sys/fs/cgroup
cd /sys/fs/cgroup
cat cgroup.controllers
# The root: misc.current and misc.capacity only (empty: no resource has a capacity).
ls | grep -E '^(hugetlb|rdma|misc)\.'
cat misc.current misc.capacity
echo "+hugetlb +rdma +misc" > cgroup.subtree_control
mkdir a
ls a | grep -E '^(hugetlb|rdma|misc)\.'
cat a/hugetlb.2MB.max a/hugetlb.2MB.rsvd.max a/hugetlb.2MB.current a/hugetlb.2MB.rsvd.current
cat a/hugetlb.2MB.events a/hugetlb.2MB.events.local a/hugetlb.2MB.numa_stat
cat a/hugetlb.1GB.max
# Limits are rounded down to whole huge pages; max, a number and K/M/G suffixes are taken.
echo 5M > a/hugetlb.2MB.max
cat a/hugetlb.2MB.max
echo 3G > a/hugetlb.1GB.max
cat a/hugetlb.1GB.max
echo 1000000 > a/hugetlb.2MB.max
cat a/hugetlb.2MB.max
echo 4M > a/hugetlb.2MB.rsvd.max
cat a/hugetlb.2MB.rsvd.max
echo max > a/hugetlb.2MB.max
cat a/hugetlb.2MB.max
# A bad value (EINVAL) leaves the limit.
echo 4M > a/hugetlb.2MB.max
echo 4X > a/hugetlb.2MB.max
echo -1 > a/hugetlb.2MB.max
cat a/hugetlb.2MB.max
# rdma: no device, so nothing to print; a good line is ENODEV, a bad one EINVAL.
cat a/rdma.max a/rdma.current
echo "mlx4_0 hca_handle=2 hca_object=max" > a/rdma.max
echo "mlx4_0" > a/rdma.max
echo "mlx4_0 hca_handle=-1" > a/rdma.max
echo "mlx4_0 hca_objects=2" > a/rdma.max
echo "mlx4_0 hca_handle" > a/rdma.max
# misc: the resource names are sev and sev_es; their capacity is 0, so every write is EINVAL
# (ERANGE first for a number past 64 bits).
cat a/misc.max a/misc.current a/misc.events
echo "sev 5" > a/misc.max
echo "sev max" > a/misc.max
echo "sev_es 99999999999999999999" > a/misc.max
echo "gpu 1" > a/misc.max
echo "sev" > a/misc.max
cat a/misc.max
