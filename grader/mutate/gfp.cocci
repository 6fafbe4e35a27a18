virtual list

// GFP_KERNEL to GFP_ATOMIC, and back: an allocation that may sleep made
// atomic (it can fail under pressure), or one made under a spinlock
// allowed to sleep. All the matching comes first, the changes after (see
// delete-call.cocci).
@k@
position p : script:python() { at_site(p) };
@@
 GFP_KERNEL@p

@script:python depends on list@
p << k.p;
@@
found(p, "GFP_KERNEL to GFP_ATOMIC")

@a@
position p : script:python() { at_site(p) };
@@
 GFP_ATOMIC@p

@script:python depends on list@
p << a.p;
@@
found(p, "GFP_ATOMIC to GFP_KERNEL")

@depends on !list@
position p : script:python() { at_site(p) };
@@
- GFP_KERNEL@p
+ GFP_ATOMIC

@depends on !list@
position p : script:python() { at_site(p) };
@@
- GFP_ATOMIC@p
+ GFP_KERNEL
