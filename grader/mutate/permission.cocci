virtual list

// capable() always true / drop GENL_ADMIN_PERM: a privilege check that
// always passes, in a call (capable() and its namespace and netlink
// variants) or in the flag that asks generic netlink to check it. All the
// matching comes first, the changes after (see delete-call.cocci).
@r@
identifier fn =~ "^(ns_|file_ns_|sk_|netlink_|netlink_ns_|netlink_net_)?capable$";
expression list es;
position p : script:python() { at_site(p) };
@@
 fn@p(es)

@script:python depends on list@
fn << r.fn;
p << r.p;
@@
found(p, "%s() always true" % fn)

@g@
constant F =~ "^GENL_(UNS_)?ADMIN_PERM$";
position p : script:python() { at_site(p) };
@@
 F@p

@script:python depends on list@
F << g.F;
p << g.p;
@@
found(p, "drop " + F)

@depends on !list@
identifier r.fn;
expression list r.es;
position p : script:python() { at_site(p) };
@@
- fn@p(es)
+ true

@depends on !list@
constant g.F;
position p : script:python() { at_site(p) };
@@
- F@p
+ 0
