#ifndef CAMINDEX_COSIP2_SHIM_H
#define CAMINDEX_COSIP2_SHIM_H

#include <stdlib.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_message.h>
#include <osipparser2/osip_port.h>

// osip_free and the header getters are macros Swift cannot call.
static inline void camindex_osip_free(void *p) { osip_free(p); }

static inline char *camindex_osip_header(const osip_message_t *m, const char *name) {
    osip_header_t *h = NULL;
    if (osip_message_header_get_byname(m, name, 0, &h) < 0 || h == NULL) return NULL;
    return h->hvalue;
}

static inline osip_via_t *camindex_osip_via(const osip_message_t *m, int pos) {
    return (osip_via_t *) osip_list_get(&m->vias, pos);
}

static inline osip_authorization_t *camindex_osip_authorization(const osip_message_t *m) {
    return (osip_authorization_t *) osip_list_get(&m->authorizations, 0);
}

static inline osip_body_t *camindex_osip_body(const osip_message_t *m) {
    return (osip_body_t *) osip_list_get(&m->bodies, 0);
}

static inline osip_contact_t *camindex_osip_contact(const osip_message_t *m) {
    return (osip_contact_t *) osip_list_get(&m->contacts, 0);
}

static inline char *camindex_osip_to_tag(osip_to_t *to) {
    osip_generic_param_t *tag = NULL;
    if (osip_uri_param_get_byname(&to->gen_params, "tag", &tag) < 0 || tag == NULL) return NULL;
    return tag->gvalue;
}

#endif
