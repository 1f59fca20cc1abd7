build/objtool/main.o: objtool/main.c include/commands.h
include/commands.h:
