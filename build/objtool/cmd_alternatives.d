build/objtool/cmd_alternatives.o: objtool/cmd_alternatives.c \
 include/commands.h
include/commands.h:
