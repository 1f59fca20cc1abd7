// SPDX-License-Identifier: GPL-2.0
/*
 * The kinds of finding, in one table: every output reads it (the kbuild
 * echo asks whether the reference reports a kind, SARIF takes ids, levels
 * and texts from it).  An id is published in SARIF logs that code-scanning
 * services keep across runs to match alerts, so an id is never reused or
 * renumbered: new kinds get new numbers.  AO1xxx: kinds the reference
 * objtool reports too; AO2xxx: kinds only altorc reports.
 */
#include <string.h>

#include "findings.h"

/* Where objtool's own documentation explains its warnings and their usual fixes. */
#define OBJTOOL_DOC "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/tools/objtool/Documentation/objtool.txt"
/* What the ORC unwinder needs from the tables these findings are about. */
#define ORC_DOC "https://docs.kernel.org/arch/x86/orc-unwinder.html"

static const struct finding_rule rules[] = {
	{ "AO1001", "stack-state-mismatch", true, "warning",
	  "Two paths reach an instruction with different stack states",
	  "Two control-flow paths meet at one instruction with different stack layouts (CFA "
	  "offset or saved registers), so no single ORC entry can describe it and unwinding from "
	  "there is unreliable.", OBJTOOL_DOC },
	{ "AO1002", "alternative-stack-conflict", true, "warning",
	  "The sides of an alternative disagree on the stack layout at one site offset",
	  "An alternative's original and replacement code have different stack layouts at the same "
	  "byte offset inside the patch site; the ORC table has one entry per address, so one of "
	  "the patched variants would unwind wrongly.", OBJTOOL_DOC },
	{ "AO1003", "cfi-missing", true, "warning",
	  "No stack state is known for an instruction",
	  "No path gave this instruction a stack state (typically code only an alternative "
	  "replacement reaches), so no ORC entry can be written for it.", OBJTOOL_DOC },
	{ "AO1004", "unreachable", true, "warning",
	  "An instruction that no path reaches",
	  "No control-flow path reaches this instruction. Often a call to a function that does "
	  "not return is not known as such, or code follows one.", OBJTOOL_DOC },
	{ "AO1005", "fallthrough", true, "warning",
	  "Control falls off the end of a function",
	  "Execution can run past the last instruction of a function into the next one, usually "
	  "because a call to a function that does not return is not annotated so.", OBJTOOL_DOC },
	{ "AO1006", "end-of-section", true, "warning",
	  "Control runs past the end of the section",
	  "A path leaves the last instruction of a code section without a jump or return.",
	  OBJTOOL_DOC },
	{ "AO1007", "missing-noreturn", true, "warning",
	  "A call to a function that does not return is not known as such",
	  "A function ends in a call whose callee does not return, but the callee is not on the "
	  "list of noreturn functions; the code after the call is then analysed as reachable.",
	  OBJTOOL_DOC },
	{ "AO1008", "missing-size", true, "warning",
	  "A function symbol without an ELF size",
	  "A function symbol has size 0, so its instructions cannot be attributed to it; "
	  "assembly functions need SYM_FUNC_START/SYM_FUNC_END.", OBJTOOL_DOC },
	{ "AO1009", "bp-scratch", true, "warning",
	  "The frame pointer is used as a scratch register",
	  "RBP is changed to something other than a frame pointer, which breaks frame-pointer "
	  "unwinding through this function.", OBJTOOL_DOC },
	{ "AO1010", "call-without-frame", true, "warning",
	  "A call before the frame pointer is set up",
	  "A function calls another before it has set up its own stack frame.", OBJTOOL_DOC },
	{ "AO1011", "context-switch", true, "warning",
	  "An unsupported context switch inside a function",
	  "An instruction that switches context (such as sysret or iret) appears inside a "
	  "callable function without an unwind hint.", OBJTOOL_DOC },
	{ "AO1012", "direction-flag", true, "warning",
	  "The direction flag is set across a call or return",
	  "The direction flag is still set at a call or return; the ABI requires it clear there.",
	  OBJTOOL_DOC },
	{ "AO1013", "return-modified-frame", true, "warning",
	  "A return with a modified stack frame",
	  "A function returns while its stack pointer or saved registers are not back where they "
	  "were at entry.", OBJTOOL_DOC },
	{ "AO1014", "sibling-call-modified-frame", true, "warning",
	  "A sibling call with a modified stack frame",
	  "A tail call (jump to another function) leaves with the stack frame not restored.",
	  OBJTOOL_DOC },
	{ "AO1015", "stack-op", true, "warning",
	  "An unsupported stack operation",
	  "An instruction changes the stack pointer or the CFA in a way the stack model cannot "
	  "follow, so the stack state after it is unknown.", OBJTOOL_DOC },
	{ "AO1016", "uaccess", true, "warning",
	  "User access enabled where it must not be",
	  "With SMAP user access open (after STAC), the code calls a function not known to be "
	  "safe for it, or returns; or a UACCESS-safe function returns with it closed.",
	  OBJTOOL_DOC },
	{ "AO1017", "unwind-hint", true, "warning",
	  "An unwind hint that cannot apply",
	  "An UNWIND_HINT save/restore pair does not match along the code's paths.", OBJTOOL_DOC },
	{ "AO1018", "sls", true, "warning",
	  "No int3 after a return or indirect jump",
	  "With straight-line-speculation mitigation a return or indirect jump must be followed "
	  "by an int3 trap.", OBJTOOL_DOC },
	{ "AO1019", "retpoline", true, "warning",
	  "An indirect branch or return in a retpoline or rethunk build",
	  "The build asks for retpolines and return thunks, but this indirect call, jump or "
	  "return is not one of them and not annotated as safe.", OBJTOOL_DOC },
	{ "AO1020", "ibt", true, "warning",
	  "A code address taken without an ENDBR instruction",
	  "Under indirect branch tracking every address that can be an indirect branch target must "
	  "start with ENDBR; this relocation points at one that does not.", OBJTOOL_DOC },
	{ "AO1021", "internal", true, "error",
	  "The analysis could not model this code",
	  "The analyzer reached a state it should not (the reference reports it as a BUG line); "
	  "the results for this function are incomplete.", OBJTOOL_DOC },
	{ "AO1022", "jump-table", true, "warning",
	  "An indirect jump whose switch table cannot be found",
	  "An indirect jump inside a function looks like a switch dispatch, but no jump table "
	  "belonging to it was found; the reference gives up on the object here and writes no "
	  "ORC for it.", OBJTOOL_DOC },
	{ "AO1023", "branch-target", true, "warning",
	  "A jump or call whose destination is no instruction",
	  "A direct jump or call lands where no decoded instruction starts (inside an "
	  "instruction, or past the code); the reference gives up on the object here and "
	  "writes no ORC for it.", OBJTOOL_DOC },
	{ "AO1024", "noinstr", true, "warning",
	  "Code that must not be instrumented calls code that may be",
	  "A function in a noinstr section (.noinstr.text, .entry.text, ...) calls, jumps to or "
	  "returns into code outside those sections while instrumentation is not explicitly "
	  "allowed (instrumentation_begin()); tracing or sanitizers could run where the kernel "
	  "cannot yet handle them. Indirect calls count unless every paravirt target they can "
	  "reach is noinstr.", OBJTOOL_DOC },
	{ "AO1025", "unret", true, "warning",
	  "An entry path can return before it untrains the return predictor",
	  "On a path from a kernel entry point (VALIDATE_UNRET_BEGIN, or an entry unwind hint) a "
	  "RET or an indirect branch comes before UNTRAIN_RET, so a return-stack attack "
	  "(retbleed, SRSO) is not mitigated there.", OBJTOOL_DOC },
	{ "AO1026", "static-call-key", true, "warning",
	  "A static call whose key the object does not have",
	  "Outside a module, every static call's trampoline (__SCT__name) needs its key "
	  "(__SCK__name) in the same object for .static_call_sites; without it the reference "
	  "stops before writing any site section or ORC, and so does altorc, leaving the object "
	  "as it was.", OBJTOOL_DOC },
	{ "AO2001", "alternative-exit-state", false, "warning",
	  "A replacement leaves its site in another stack state",
	  "An alternative's replacement code leaves the patch site with a different stack state "
	  "than the original code does; after patching, the code that follows would be described "
	  "by the wrong ORC entries.", ORC_DOC },
	{ "AO2002", "paravirt-stack", false, "warning",
	  "A paravirt site changes the stack",
	  "A paravirt patch site's native replacement does not leave the stack as the indirect "
	  "call it replaces does (for example pushf without a matching pop), so the ORC entries "
	  "inside the site are wrong for one of the variants.", ORC_DOC },
	{ "AO2003", "paravirt-table", false, "warning",
	  "A malformed paravirt patch site",
	  "An entry of .parainstructions cannot be read (bad length, target or relocation).",
	  ORC_DOC },
	{ "AO2004", "cfi-mismatch", false, "note",
	  "The computed CFA disagrees with the compiler's DWARF CFI",
	  "With --cfi, the canonical frame address that the stack model computes for an "
	  "instruction differs from the one the compiler's call-frame information gives.",
	  ORC_DOC },
};

#define NR_RULES (sizeof(rules) / sizeof(rules[0]))

const struct finding_rule *findings_rules(size_t *nr)
{
	*nr = NR_RULES;
	return rules;
}

/* Unknown kinds fall back to "internal": a new kind without a row is a bug, not a crash. */
const struct finding_rule *findings_rule(const char *kind)
{
	const struct finding_rule *fallback = NULL;

	for (size_t i = 0; i < NR_RULES; i++) {
		if (kind && !strcmp(rules[i].name, kind))
			return &rules[i];
		if (!strcmp(rules[i].name, "internal"))
			fallback = &rules[i];
	}
	return fallback;
}

int findings_kind_in_reference(const char *kind)
{
	const struct finding_rule *r = findings_rule(kind);

	return r && r->in_reference;
}
