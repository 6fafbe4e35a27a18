@initialize:python@
@@
# The tail of every operator: grader/mutate/sites puts it after the
# rules of the operator (an #include in SmPL does not carry script rules
# over, and the code of a script runs up to the next rule: SmPL comments
# after it would be read as Python, so this part has none, and no
# apostrophes either: the SmPL lexer reads one as the start of a C char).
#
# Coccinelle changes every match of a rule at once; a mutant is one change
# at one site. So each operator runs twice, alike: with -D list it prints
# "SITE LINE:COLUMN LABEL" for every match (the script rules of the
# operator); with -D site=LINE:COLUMN it changes only the match at that
# position. (No line here starts with the name of the command: Coccinelle
# reads such a line as command-line options.)
# Every rule that changes code binds a position p constrained by at_site(p):
# with no site given, it lets every match through (list mode, whose output
# is thrown away); with one, only the match that starts there. The site is
# set by the second initialize rule below, which runs only when -D site is
# given (a rule inheriting a virtual identifier runs only when it is bound).
# Counting matches instead ("let the N-th through") would depend on the
# order in which Coccinelle tries them, which nothing keeps from one run to
# the next; a position is the same in both runs.
import re

target = None


def at_site(p):
    return target is None or "%s:%s" % (p[0].line, p[0].column) == target


def found(p, label):
    print("SITE %s:%s %s" % (p[0].line, p[0].column, label))


# Helpers of the operators that compute their new text.

def move_bound(c, delta):
    """A bound moved by delta: a number in its own base, a macro + or - 1."""
    if re.match(r"^E[A-Z0-9]+$", c):
        return None  # an errno: for errno.cocci
    m = re.match(r"^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$", c)
    if m is None:
        if re.match(r"^[A-Z_][A-Z0-9_]*$", c):
            return "%s %s 1" % (c, "+" if delta > 0 else "-")
        return None
    digits, suffix = m.groups()
    if digits[:2] in ("0x", "0X"):
        base, form = 16, "%#x"
    elif len(digits) > 1 and digits[0] == "0":
        base, form = 8, "0%o"
    else:
        base, form = 10, "%d"
    value = int(digits, base) + delta
    if value < 0:
        return None  # "-1" would be a unary minus, not a constant
    return form % value + suffix

# An errno a caller tells apart from the one it replaces.
OTHER_ERRNO = {"EINVAL": "EFAULT", "EFAULT": "EINVAL", "EPERM": "EACCES",
               "EACCES": "EPERM", "ENOMEM": "ENOSPC", "ERANGE": "EINVAL"}

def other_errno(e):
    return OTHER_ERRNO.get(e, "EINVAL")

def other_mode(c):
    """A wider mode: readable by its owner, then by all, then writable by
    its owner, then by all; an already world-writable one loses that."""
    mode = int(c, 8)
    if not mode & 0o400:
        mode |= 0o444
    elif mode & 0o044 != 0o044:
        mode |= 0o044
    elif not mode & 0o200:
        mode |= 0o200
    elif mode & 0o022 != 0o022:
        mode |= 0o022
    else:
        mode &= ~0o022
    return "0%03o" % mode

def drop_newline(s):
    """The string literal without its last \\n; None when it has none."""
    at = s.rfind("\\n")
    if at < 0:
        return None
    return s[:at] + s[at + 2:]

@initialize:python@
site << virtual.site;
@@
target = site
