/* Every CLI command's entry point; the table is in commands.c. */
#ifndef BOXOFFICE_APP_COMMANDS_H
#define BOXOFFICE_APP_COMMANDS_H

struct cli;

int cmd_migrate(struct cli *cli, int argc, char **argv);
int cmd_demo(struct cli *cli, int argc, char **argv);
int cmd_event_add(struct cli *cli, int argc, char **argv);
int cmd_event_list(struct cli *cli, int argc, char **argv);
int cmd_type_add(struct cli *cli, int argc, char **argv);

#endif
