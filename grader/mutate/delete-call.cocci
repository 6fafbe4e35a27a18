virtual list

// delete NAME: a call statement removed, whatever it calls: a release or
// cleanup (kfree, *_unregister, remove_proc_entry, put_device, wake_up...),
// one half of a lock/unlock pair, a message, a step of the set-up.
//
// Every operator matches first, without changing anything, and changes the
// code in a rule of its own that inherits the match: in list mode nothing
// changes, so the positions listed are those of the solution's code.
@r@
identifier fn;
position p : script:python() { at_site(p) };
@@
 fn@p(...);

@script:python depends on list@
fn << r.fn;
p << r.p;
@@
found(p, "delete " + fn)

@depends on !list@
identifier r.fn;
position p : script:python() { at_site(p) };
@@
- fn@p(...);
