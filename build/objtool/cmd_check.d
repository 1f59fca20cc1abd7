build/objtool/cmd_check.o: objtool/cmd_check.c include/commands.h
include/commands.h:
