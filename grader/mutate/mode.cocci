virtual list

// mode M1 to M2: a file mode in octal (of a /proc, sysfs or debugfs file, a
// module parameter, a misc device) made wider, or narrower when it is
// already 0666: see other_mode() in one-site.cocci. And the macros that
// declare a root-only sysfs attribute: DEVICE_ATTR_ADMIN_RW (0600) becomes
// DEVICE_ATTR_RW (0644), DEVICE_ATTR_ADMIN_RO (0400) DEVICE_ATTR_RO (0444).
// All the matching comes first, the changes after (see delete-call.cocci).
@r@
constant C =~ "^0[0-7][0-7][0-7]$";
position p : script:python() { at_site(p) };
@@
 C@p

@script:python s@
C << r.C;
p << r.p;
N;
@@
other = other_mode(C)
coccinelle.N = cocci.make_ident(other)
if target is None:
    found(p, "mode %s to %s" % (C, other))

@admin_rw@
declarer name DEVICE_ATTR_ADMIN_RW;
identifier attr;
position p : script:python() { at_site(p) };
@@
 DEVICE_ATTR_ADMIN_RW@p(attr);

@script:python depends on list@
p << admin_rw.p;
@@
found(p, "DEVICE_ATTR_ADMIN_RW to DEVICE_ATTR_RW")

@admin_ro@
declarer name DEVICE_ATTR_ADMIN_RO;
identifier attr;
position p : script:python() { at_site(p) };
@@
 DEVICE_ATTR_ADMIN_RO@p(attr);

@script:python depends on list@
p << admin_ro.p;
@@
found(p, "DEVICE_ATTR_ADMIN_RO to DEVICE_ATTR_RO")

@depends on !list@
constant r.C;
position p : script:python() { at_site(p) };
identifier s.N;
@@
- C@p
+ N

@depends on !list@
declarer name DEVICE_ATTR_ADMIN_RW, DEVICE_ATTR_RW;
identifier admin_rw.attr;
position p : script:python() { at_site(p) };
@@
- DEVICE_ATTR_ADMIN_RW@p(attr);
+ DEVICE_ATTR_RW(attr);

@depends on !list@
declarer name DEVICE_ATTR_ADMIN_RO, DEVICE_ATTR_RO;
identifier admin_ro.attr;
position p : script:python() { at_site(p) };
@@
- DEVICE_ATTR_ADMIN_RO@p(attr);
+ DEVICE_ATTR_RO(attr);
