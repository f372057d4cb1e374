// OpenSSL's libcrypto: SHA-256 of pretrained weight files (checked against the hash prefix
// in their names, as torch.hub does).
#include <openssl/evp.h>
