virtual list

// drop newline: the last \n of a string literal (a message, a format, the
// text of a file) removed.
@r@
constant char[] S;
position p : script:python() { at_site(p) };
@@
 S@p

@script:python s@
S << r.S;
p << r.p;
N;
@@
dropped = drop_newline(S)
if dropped is None:
    cocci.include_match(False)
else:
    coccinelle.N = cocci.make_ident(dropped)
    if target is None:
        found(p, "drop newline")

@depends on !list@
constant char[] r.S;
position p : script:python() { at_site(p) };
identifier s.N;
@@
- S@p
+ N
