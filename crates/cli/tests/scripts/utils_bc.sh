# bc (GNU bc 1.07): functions made with define (parameters, auto, return, recursion, bc's
# dynamic scope), the -l math library (s c a l e j at scale=20 and at other scales), and the
# messages of calls that go wrong. Every line of output is GNU bc 1.07.1's.
printf 'define f(x) { return (x * 2) }\nf(21)\n' | bc
printf 'define fact(n) {\n  if (n <= 1) return (1)\n  return (n * fact(n - 1))\n}\nfact(25)\n' | bc
printf 'define sum(n) {\n  auto i, s\n  for (i = 1; i <= n; i++) s += i\n  return s\n}\nsum(100); i; s\n' | bc
printf 'define g(x) { auto y; y = x; return (h()) }\ndefine h() { return (y + 1) }\ng(5); y\n' | bc
printf 'define p() { print "side effect\\n"; 7 }\nx = p()\nx\n' | bc
printf 'x = 3\ndefine k(x) { x = 100; return (x) }\nk(1); x\n' | bc
echo 's(1); c(1); a(1); l(2); e(1); j(0,1); j(1,2.5)' | bc -l
echo 'scale; 4*a(1); e(-1); l(0); s(-2); c(0); e(0)' | bc -l
echo 'scale=5; s(0.001); e(10); l(10); j(2,3); scale=0; e(1); c(0); s(1000)' | bc -l
echo 'scale=50; e(1); 4*a(1)' | bc -l
echo 'define e(x) { return (-x) }; e(5)' | bc -l
echo 's(1)' | bc
printf 'define f(x) { return (x / 0) }\nf(1)\nnope(1)\ndefine g(a, b) { return (a + b) }\ng(1)\nreturn (5)\n2\n' | bc
