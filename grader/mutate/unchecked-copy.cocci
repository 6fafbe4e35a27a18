virtual list

// unchecked copy_*_user: the test of what copy_to_user() or
// copy_from_user() returns is dropped, the copy kept: a fault goes on with
// bytes nobody copied instead of giving EFAULT.
@r@
identifier fn =~ "^(copy_to_user|copy_from_user)$";
expression list es;
statement S;
position p : script:python() { at_site(p) };
@@
 if (fn@p(es)) S

@script:python depends on list@
fn << r.fn;
p << r.p;
@@
found(p, "unchecked " + fn)

@depends on !list@
identifier r.fn;
expression list r.es;
statement r.S;
position p : script:python() { at_site(p) };
@@
- if (fn@p(es)) S
+ fn(es);
