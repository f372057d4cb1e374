// json-c: the tokenizer and object API used to read COCO annotation files and JSON configs.
#include <json-c/json.h>
