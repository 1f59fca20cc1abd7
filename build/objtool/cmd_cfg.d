build/objtool/cmd_cfg.o: objtool/cmd_cfg.c include/commands.h
include/commands.h:
