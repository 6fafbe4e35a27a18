virtual list

// constant ... to ... + 1: a bound in a comparison moved by one. The
// constant is a number or a name in capitals (a macro such as
// WHOM_MAX_LEN: Coccinelle's "constant" takes both), errno names aside.
// The new text is made by the python rule, as an identifier: SmPL has no
// arithmetic on constants.
@r@
expression E;
constant C =~ "^[0-9A-Z_]";
binary operator op = {<, <=, >, >=, ==, !=};
position p : script:python() { at_site(p) };
@@
(
 E op C@p
|
 C@p op E
)

@script:python s@
C << r.C;
p << r.p;
N;
@@
moved = move_bound(C, +1)
if moved is None:
    cocci.include_match(False)
else:
    coccinelle.N = cocci.make_ident(moved)
    if target is None:
        found(p, "constant %s to %s" % (C, moved))

@depends on !list@
constant r.C;
position p : script:python() { at_site(p) };
identifier s.N;
@@
- C@p
+ N
