virtual list

// replace OP with OP': < and <=, > and >=, == and != swapped, one
// comparison at a time. The site is the start of the left operand (SmPL
// puts no position on an operator). All the matching comes first, the
// changes after (see delete-call.cocci).

@lt@
expression E1, E2;
position p : script:python() { at_site(p) };
@@
 E1@p < E2

@script:python depends on list@
p << lt.p;
@@
found(p, "replace < with <=")

@le@
expression E1, E2;
position p : script:python() { at_site(p) };
@@
 E1@p <= E2

@script:python depends on list@
p << le.p;
@@
found(p, "replace <= with <")

@gt@
expression E1, E2;
position p : script:python() { at_site(p) };
@@
 E1@p > E2

@script:python depends on list@
p << gt.p;
@@
found(p, "replace > with >=")

@ge@
expression E1, E2;
position p : script:python() { at_site(p) };
@@
 E1@p >= E2

@script:python depends on list@
p << ge.p;
@@
found(p, "replace >= with >")

@eq@
expression E1, E2;
position p : script:python() { at_site(p) };
@@
 E1@p == E2

@script:python depends on list@
p << eq.p;
@@
found(p, "replace == with !=")

@ne@
expression E1, E2;
position p : script:python() { at_site(p) };
@@
 E1@p != E2

@script:python depends on list@
p << ne.p;
@@
found(p, "replace != with ==")

@depends on !list@
expression lt.E1, lt.E2;
position p : script:python() { at_site(p) };
@@
- E1@p < E2
+ E1 <= E2

@depends on !list@
expression le.E1, le.E2;
position p : script:python() { at_site(p) };
@@
- E1@p <= E2
+ E1 < E2

@depends on !list@
expression gt.E1, gt.E2;
position p : script:python() { at_site(p) };
@@
- E1@p > E2
+ E1 >= E2

@depends on !list@
expression ge.E1, ge.E2;
position p : script:python() { at_site(p) };
@@
- E1@p >= E2
+ E1 > E2

@depends on !list@
expression eq.E1, eq.E2;
position p : script:python() { at_site(p) };
@@
- E1@p == E2
+ E1 != E2

@depends on !list@
expression ne.E1, ne.E2;
position p : script:python() { at_site(p) };
@@
- E1@p != E2
+ E1 == E2
