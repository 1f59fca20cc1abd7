build/objtool/cmd_explain.o: objtool/cmd_explain.c include/commands.h
include/commands.h:
