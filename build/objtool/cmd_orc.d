build/objtool/cmd_orc.o: objtool/cmd_orc.c include/commands.h
include/commands.h:
