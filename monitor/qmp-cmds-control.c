/* QMP control commands: capabilities, version, commands, schema, name. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "monitor-version.h"
#include "monitor.h"
#include "qapi-commands.h"
#include "qapi-introspect.h"
#include "qmp-error.h"
#include "qmp-session-int.h"

bool qmp_qmp_capabilities(bool has_enable, QMPCapabilityList *enable, GError **error)
{
    QmpSession *s = ph_qmp_current_session();
    bool oob = false;
    QMPCapabilityList *l;

    g_assert(s);
    for (l = has_enable ? enable : NULL; l; l = l->next) {
        if (l->value == QMP_CAPABILITY_OOB) {
            oob = true;
        }
    }
    g_mutex_lock(&s->lock);
    if (s->negotiated) {
        g_mutex_unlock(&s->lock);
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_COMMAND_NOT_FOUND,
                            "Capabilities negotiation is already complete, command ignored");
        return false;
    }
    s->negotiated = true;
    s->oob = oob;
    g_mutex_unlock(&s->lock);
    return true;
}

VersionInfo *qmp_query_version(GError **error)
{
    VersionInfo *info = g_new0(VersionInfo, 1);
    int major, minor, micro;

    ph_monitor_version(&major, &minor, &micro);
    info->qemu = g_new0(VersionTriple, 1);
    info->qemu->major = major;
    info->qemu->minor = minor;
    info->qemu->micro = micro;
    info->package = g_strdup(ph_monitor_package_string());
    return info;
}

CommandInfoList *qmp_query_commands(GError **error)
{
    g_autoptr(GPtrArray) cmds = ph_qmp_list_commands();
    CommandInfoList *head = NULL;
    guint i;

    /* Built back to front, so the list comes out in registration order. */
    for (i = cmds->len; i-- > 0;) {
        const QmpCommand *cmd = cmds->pdata[i];
        CommandInfoList *node = g_new0(CommandInfoList, 1);

        node->value = g_new0(CommandInfo, 1);
        node->value->name = g_strdup(cmd->name);
        node->next = head;
        head = node;
    }
    return head;
}

JsonNode *qmp_query_qmp_schema(GError **error)
{
    static JsonNode *schema;    /* parsed once; main thread */

    if (!schema) {
        schema = json_from_string(qmp_schema_json, error);
        if (!schema) {
            return NULL;
        }
    }
    return json_node_copy(schema);
}

NameInfo *qmp_query_name(GError **error)
{
    NameInfo *info = g_new0(NameInfo, 1);
    const char *name = ph_monitor_vm_name();

    if (name) {
        info->has_name = true;
        info->name = g_strdup(name);
    }
    return info;
}
