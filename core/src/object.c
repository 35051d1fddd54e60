/*
 * object.c: reference counts, and the generic retain/release that lets the
 * compatibility header offer CFRetain/CFRelease.
 */
#include "internal.h"

void object_init(struct object *obj, uint32_t kind) {
  obj->kind = kind;
  atomic_init(&obj->refs, 1);
}

void object_retain(struct object *obj) {
  atomic_fetch_add_explicit(&obj->refs, 1, memory_order_relaxed);
}

int object_release(struct object *obj) {
  return atomic_fetch_sub_explicit(&obj->refs, 1, memory_order_acq_rel) == 1;
}

static int is_handle(const void *handle) {
  if (handle == NULL)
    return 0;
  uint32_t kind = ((const struct object *)handle)->kind;
  return kind >= KIND_CONTEXT && kind <= KIND_TRUST_STORE;
}

const void *sectrans_retain(const void *handle) {
  if (!is_handle(handle))
    return NULL;
  object_retain((struct object *)handle);
  return handle;
}

void sectrans_release(const void *handle) {
  if (handle == NULL)
    return;
  switch (((const struct object *)handle)->kind) {
  case KIND_CONTEXT:
    sectrans_context_release((sectrans_context *)handle);
    break;
  case KIND_CONFIG:
    sectrans_config_release((sectrans_config *)handle);
    break;
  case KIND_IDENTITY:
    sectrans_identity_release((sectrans_identity *)handle);
    break;
  case KIND_CERTIFICATE:
    sectrans_certificate_release((sectrans_certificate *)handle);
    break;
  case KIND_TRUST:
    sectrans_trust_release((sectrans_trust *)handle);
    break;
  case KIND_TRUST_STORE:
    sectrans_trust_store_release((sectrans_trust_store *)handle);
    break;
  default:
    break; /* not a sectrans handle: a caller bug, ignored */
  }
}
