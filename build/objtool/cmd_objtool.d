build/objtool/cmd_objtool.o: objtool/cmd_objtool.c include/commands.h
include/commands.h:
