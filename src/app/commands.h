/* Every CLI command's entry point; the table is in commands.c. */
#ifndef BOXOFFICE_APP_COMMANDS_H
#define BOXOFFICE_APP_COMMANDS_H

struct cli;

int cmd_migrate(struct cli *cli, int argc, char **argv);
int cmd_demo(struct cli *cli, int argc, char **argv);
int cmd_event_add(struct cli *cli, int argc, char **argv);
int cmd_event_list(struct cli *cli, int argc, char **argv);
int cmd_type_add(struct cli *cli, int argc, char **argv);
int cmd_inventory(struct cli *cli, int argc, char **argv);
int cmd_adjust(struct cli *cli, int argc, char **argv);
int cmd_quota(struct cli *cli, int argc, char **argv);
int cmd_capacity(struct cli *cli, int argc, char **argv);
int cmd_sell(struct cli *cli, int argc, char **argv);
int cmd_hold(struct cli *cli, int argc, char **argv);
int cmd_hold_confirm(struct cli *cli, int argc, char **argv);
int cmd_hold_release(struct cli *cli, int argc, char **argv);
int cmd_order_invoice(struct cli *cli, int argc, char **argv);
int cmd_order_receipt(struct cli *cli, int argc, char **argv);
int cmd_seller_set(struct cli *cli, int argc, char **argv);
int cmd_seller_show(struct cli *cli, int argc, char **argv);
int cmd_order_settle(struct cli *cli, int argc, char **argv);
int cmd_order_cancel(struct cli *cli, int argc, char **argv);
int cmd_order_refund(struct cli *cli, int argc, char **argv);
int cmd_order_list(struct cli *cli, int argc, char **argv);
int cmd_order_summary(struct cli *cli, int argc, char **argv);
int cmd_order_export(struct cli *cli, int argc, char **argv);
int cmd_order_add(struct cli *cli, int argc, char **argv);
int cmd_order_tickets(struct cli *cli, int argc, char **argv);
int cmd_order_show(struct cli *cli, int argc, char **argv);
int cmd_ticket_list(struct cli *cli, int argc, char **argv);
int cmd_ticket_assign(struct cli *cli, int argc, char **argv);
int cmd_ticket_assign_csv(struct cli *cli, int argc, char **argv);
int cmd_ticket_unassign(struct cli *cli, int argc, char **argv);
int cmd_ticket_reissue(struct cli *cli, int argc, char **argv);
int cmd_ticket_badge(struct cli *cli, int argc, char **argv);
int cmd_ticket_verify(struct cli *cli, int argc, char **argv);
int cmd_event_key(struct cli *cli, int argc, char **argv);
int cmd_user_add(struct cli *cli, int argc, char **argv);
int cmd_user_list(struct cli *cli, int argc, char **argv);
int cmd_user_revoke(struct cli *cli, int argc, char **argv);
int cmd_checkin(struct cli *cli, int argc, char **argv);
int cmd_checkin_undo(struct cli *cli, int argc, char **argv);
int cmd_org_list(struct cli *cli, int argc, char **argv);
int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_apikey_add(struct cli *cli, int argc, char **argv);
int cmd_apikey_list(struct cli *cli, int argc, char **argv);
int cmd_apikey_revoke(struct cli *cli, int argc, char **argv);
int cmd_platform_secret(struct cli *cli, int argc, char **argv);
int cmd_platform_map(struct cli *cli, int argc, char **argv);
int cmd_platform_unmap(struct cli *cli, int argc, char **argv);
int cmd_platform_maps(struct cli *cli, int argc, char **argv);
int cmd_platform_deliveries(struct cli *cli, int argc, char **argv);
int cmd_platform_staff(struct cli *cli, int argc, char **argv);
int cmd_ticket_link(struct cli *cli, int argc, char **argv);
int cmd_channel_add(struct cli *cli, int argc, char **argv);
int cmd_channel_list(struct cli *cli, int argc, char **argv);
int cmd_channel_status(struct cli *cli, int argc, char **argv);
int cmd_channel_dead(struct cli *cli, int argc, char **argv);
int cmd_channel_retry(struct cli *cli, int argc, char **argv);
int cmd_channel_resync(struct cli *cli, int argc, char **argv);
int cmd_channel_enable(struct cli *cli, int argc, char **argv);
int cmd_channel_disable(struct cli *cli, int argc, char **argv);
int cmd_list_add(struct cli *cli, int argc, char **argv);
int cmd_list_edit(struct cli *cli, int argc, char **argv);
int cmd_list_show(struct cli *cli, int argc, char **argv);
int cmd_area_add(struct cli *cli, int argc, char **argv);
int cmd_area_edit(struct cli *cli, int argc, char **argv);
int cmd_area_show(struct cli *cli, int argc, char **argv);
int cmd_audit(struct cli *cli, int argc, char **argv);
int cmd_conflict_list(struct cli *cli, int argc, char **argv);
int cmd_conflict_review(struct cli *cli, int argc, char **argv);
int cmd_conflict_void(struct cli *cli, int argc, char **argv);

#endif
