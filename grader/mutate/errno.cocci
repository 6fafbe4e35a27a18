virtual list

// errno E1 to E2: a negative errno (a return value, or the error an
// error path sets) replaced by another that a caller could tell apart.
@r@
constant C =~ "^E[A-Z0-9]+$";
position p : script:python() { at_site(p) };
@@
 -C@p

@script:python s@
C << r.C;
p << r.p;
N;
@@
other = other_errno(C)
coccinelle.N = cocci.make_ident(other)
if target is None:
    found(p, "errno %s to %s" % (C, other))

@depends on !list@
constant r.C;
position p : script:python() { at_site(p) };
identifier s.N;
@@
- -C@p
+ -N
