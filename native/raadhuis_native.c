/* raadhuis_native: the word loop of core.analysis.analyse_fields in C.
 *
 * core/analysis.py is the specification; this module only makes its hot loop cheaper. A text (its
 * accents already stripped by core.text.strip_accents) is split into words exactly as
 * core.search.words() does: every run of [0-9a-z] after lower-casing A-Z, every other character a
 * separator. Each word is looked up in a hash table of the words seen before (no Python string
 * is made for a word already in the table); a new word is handed once to the table's `miss`
 * function (Python: its stem, its vocabulary stem or None, the stems of its compound parts), and
 * the answer is kept. The output is what analyse_fields returns: the terms of each text joined by
 * spaces, the compound part stems of the content texts joined by spaces (empty ones left out),
 * and the vocabulary of the content texts (vocabulary stem -> the first word it came from).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Slots of a new or emptied table (a power of two). */
#define INITIAL_CAPACITY 1024

typedef struct {
    uint64_t hash;
    PyObject *word;  /* str (ASCII); NULL for an empty slot */
    PyObject *stem;  /* str (ASCII) */
    PyObject *vstem; /* str, or NULL for a word outside the vocabulary */
    PyObject *parts; /* str (ASCII), maybe empty */
} Entry;

typedef struct {
    PyObject_HEAD
    PyObject *miss;
    Entry *entries;
    Py_ssize_t capacity; /* a power of two */
    Py_ssize_t used;
    uint64_t generation; /* one more at every clear() */
} WordTable;

static uint64_t hash_bytes(const unsigned char *data, Py_ssize_t length) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (Py_ssize_t i = 0; i < length; i++) {
        h ^= data[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static void clear_entries(Entry *entries, Py_ssize_t capacity) {
    for (Py_ssize_t i = 0; i < capacity; i++) {
        if (entries[i].word != NULL) {
            Py_CLEAR(entries[i].word);
            Py_CLEAR(entries[i].stem);
            Py_CLEAR(entries[i].vstem);
            Py_CLEAR(entries[i].parts);
        }
    }
}

static Entry *find(WordTable *self, const unsigned char *word, Py_ssize_t length, uint64_t hash) {
    /* The word's entry, or the empty slot where it belongs. */
    Py_ssize_t mask = self->capacity - 1;
    Py_ssize_t i = (Py_ssize_t)(hash & (uint64_t)mask);
    for (;;) {
        Entry *entry = &self->entries[i];
        if (entry->word == NULL)
            return entry;
        if (entry->hash == hash && PyUnicode_GET_LENGTH(entry->word) == length &&
            memcmp(PyUnicode_1BYTE_DATA(entry->word), word, (size_t)length) == 0)
            return entry;
        i = (i + 1) & mask;
    }
}

static int grow(WordTable *self) {
    Py_ssize_t capacity = self->capacity * 2;
    Entry *entries = PyMem_Calloc((size_t)capacity, sizeof(Entry));
    if (entries == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Entry *old = self->entries;
    Py_ssize_t old_capacity = self->capacity;
    self->entries = entries;
    self->capacity = capacity;
    for (Py_ssize_t i = 0; i < old_capacity; i++) {
        if (old[i].word != NULL) {
            Entry *slot = find(self, PyUnicode_1BYTE_DATA(old[i].word), PyUnicode_GET_LENGTH(old[i].word), old[i].hash);
            *slot = old[i];
        }
    }
    PyMem_Free(old);
    return 0;
}

static int is_ascii_str(PyObject *value) {
    /* (exactly str: dropping one runs no Python code, and it refers to nothing) */
    return PyUnicode_CheckExact(value) && PyUnicode_IS_ASCII(value);
}

/* A word's analysis as new references (vstem NULL outside the vocabulary): taken before any
 * Python code can run again, which may clear or move the table. */
typedef struct {
    PyObject *word, *stem, *vstem, *parts;
} Found;

static void hold(Found *found, PyObject *word, PyObject *stem, PyObject *vstem, PyObject *parts) {
    Py_INCREF(word);
    Py_INCREF(stem);
    Py_XINCREF(vstem);
    Py_INCREF(parts);
    *found = (Found){word, stem, vstem, parts};
}

static void release(Found *found) {
    Py_CLEAR(found->word);
    Py_CLEAR(found->stem);
    Py_CLEAR(found->vstem);
    Py_CLEAR(found->parts);
}

/* The analysis of a word, asking `miss` for a new one; -1 with an exception set on error. */
static int lookup(WordTable *self, const unsigned char *word, Py_ssize_t length, Found *found) {
    uint64_t hash = hash_bytes(word, length);
    Entry *entry = find(self, word, length, hash);
    if (entry->word != NULL) {
        hold(found, entry->word, entry->stem, entry->vstem, entry->parts);
        return 0;
    }
    PyObject *key = PyUnicode_FromStringAndSize((const char *)word, length);
    if (key == NULL)
        return -1;
    uint64_t generation = self->generation;
    PyObject *miss = self->miss;
    Py_INCREF(miss); /* (held: `miss` may replace the table's) */
    PyObject *answer = PyObject_CallOneArg(miss, key);
    Py_DECREF(miss);
    if (answer == NULL) {
        Py_DECREF(key);
        return -1;
    }
    PyObject *stem, *vstem, *parts;
    if (!PyTuple_CheckExact(answer) || PyTuple_GET_SIZE(answer) != 3) {
        PyErr_SetString(PyExc_TypeError, "miss() must return (stem, vocabulary stem or None, parts)");
        goto fail;
    }
    stem = PyTuple_GET_ITEM(answer, 0);
    vstem = PyTuple_GET_ITEM(answer, 1);
    parts = PyTuple_GET_ITEM(answer, 2);
    if (!is_ascii_str(stem) || !is_ascii_str(parts) || !(vstem == Py_None || PyUnicode_CheckExact(vstem))) {
        PyErr_SetString(PyExc_TypeError, "miss() must return ASCII str stem and parts, and str or None");
        goto fail;
    }
    if (vstem == Py_None)
        vstem = NULL;
    hold(found, key, stem, vstem, parts);
    /* `miss` ran Python code: another thread may have changed the table meanwhile. A table
     * emptied meanwhile (the lexicon changed) does not take an answer given before. */
    if (self->generation == generation && self->entries != NULL) {
        if ((self->used + 1) * 2 > self->capacity && grow(self) < 0) {
            release(found);
            goto fail;
        }
        entry = find(self, word, length, hash);
        if (entry->word == NULL) {
            entry->hash = hash;
            Py_INCREF(key); /* (the table's own references) */
            Py_INCREF(stem);
            Py_XINCREF(vstem);
            Py_INCREF(parts);
            entry->word = key;
            entry->stem = stem;
            entry->vstem = vstem;
            entry->parts = parts;
            self->used++;
        }
    }
    Py_DECREF(key);
    Py_DECREF(answer);
    return 0;
fail:
    Py_DECREF(key);
    Py_DECREF(answer);
    return -1;
}

typedef struct {
    char *data;
    Py_ssize_t length, capacity;
} Buffer;

/* Room for `needed` bytes (doubling); -1 with MemoryError set if there is none. */
static int reserve(Buffer *buffer, Py_ssize_t needed) {
    if (needed <= buffer->capacity)
        return 0;
    Py_ssize_t capacity = buffer->capacity ? buffer->capacity : 256;
    while (capacity < needed)
        capacity *= 2;
    char *grown = PyMem_Realloc(buffer->data, (size_t)capacity);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    buffer->data = grown;
    buffer->capacity = capacity;
    return 0;
}

static int append(Buffer *buffer, const char *data, Py_ssize_t length, int separate) {
    if (reserve(buffer, buffer->length + length + 1) < 0)
        return -1;
    if (separate)
        buffer->data[buffer->length++] = ' ';
    memcpy(buffer->data + buffer->length, data, (size_t)length);
    buffer->length += length;
    return 0;
}

static PyObject *ascii_string(Buffer *buffer) {
    PyObject *result = PyUnicode_New(buffer->length, 127);
    if (result != NULL && buffer->length)
        memcpy(PyUnicode_1BYTE_DATA(result), buffer->data, (size_t)buffer->length);
    return result;
}

/* A text's characters as words: [0-9a-z] kept, A-Z lowered, anything else (any non-ASCII
 * character included) a separator, as core.search.words(). */
static unsigned char word_byte[128];

static PyObject *WordTable_analyse(WordTable *self, PyObject *args) {
    PyObject *texts, *content;
    if (!PyArg_ParseTuple(args, "OO:analyse", &texts, &content))
        return NULL;
    if (self->entries == NULL || self->miss == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "WordTable not initialised");
        return NULL;
    }
    /* (copies: a list changed by another thread while a new word is analysed changes nothing here) */
    PyObject *text_seq = PySequence_Tuple(texts);
    if (text_seq == NULL)
        return NULL;
    PyObject *content_seq = PySequence_Tuple(content);
    if (content_seq == NULL) {
        Py_DECREF(text_seq);
        return NULL;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(text_seq);
    PyObject *terms = NULL, *found = NULL, *parts = NULL, *result = NULL;
    Buffer out = {0}, parts_out = {0}, word = {0};
    if (PyTuple_GET_SIZE(content_seq) != count) {
        PyErr_SetString(PyExc_ValueError, "texts and content differ in length");
        goto done;
    }
    terms = PyList_New(count);
    found = PyDict_New();
    if (terms == NULL || found == NULL)
        goto done;
    for (Py_ssize_t t = 0; t < count; t++) {
        PyObject *text = PyTuple_GET_ITEM(text_seq, t);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "texts must be str");
            goto done;
        }
        int is_content = PyObject_IsTrue(PyTuple_GET_ITEM(content_seq, t));
        if (is_content < 0)
            goto done;
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(text) < 0) /* (a string made by the legacy C API, before 3.12) */
            goto done;
#endif
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_ssize_t length = PyUnicode_GET_LENGTH(text);
        out.length = 0;
        /* (room for the longest word there can be: the whole text) */
        if (reserve(&word, length + 1) < 0)
            goto done;
        int first = 1;
        Py_ssize_t i = 0;
        while (i < length) {
            word.length = 0;
            while (i < length) {
                Py_UCS4 c = PyUnicode_READ(kind, data, i);
                if (c < 128 && word_byte[c])
                    break;
                i++;
            }
            while (i < length) {
                Py_UCS4 c = PyUnicode_READ(kind, data, i);
                if (c >= 128 || !word_byte[c])
                    break;
                word.data[word.length++] = (char)word_byte[c];
                i++;
            }
            if (word.length == 0)
                break;
            Found hit;
            if (lookup(self, (const unsigned char *)word.data, word.length, &hit) < 0)
                goto done;
            int failed = append(&out, (const char *)PyUnicode_1BYTE_DATA(hit.stem), PyUnicode_GET_LENGTH(hit.stem), !first) < 0;
            first = 0;
            if (!failed && is_content) {
                Py_ssize_t parts_length = PyUnicode_GET_LENGTH(hit.parts);
                if (parts_length &&
                    append(&parts_out, (const char *)PyUnicode_1BYTE_DATA(hit.parts), parts_length, parts_out.length > 0) < 0)
                    failed = 1;
                if (!failed && hit.vstem != NULL && PyDict_SetDefault(found, hit.vstem, hit.word) == NULL)
                    failed = 1;
            }
            release(&hit);
            if (failed)
                goto done;
        }
        PyObject *joined = ascii_string(&out);
        if (joined == NULL)
            goto done;
        PyList_SET_ITEM(terms, t, joined);
    }
    parts = ascii_string(&parts_out);
    if (parts != NULL)
        result = PyTuple_Pack(3, terms, parts, found);
done:
    PyMem_Free(out.data);
    PyMem_Free(parts_out.data);
    PyMem_Free(word.data);
    Py_XDECREF(terms);
    Py_XDECREF(parts);
    Py_XDECREF(found);
    Py_DECREF(text_seq);
    Py_DECREF(content_seq);
    return result;
}

static int WordTable_init(WordTable *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"miss", NULL};
    PyObject *miss;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:WordTable", keywords, &miss))
        return -1;
    if (!PyCallable_Check(miss)) {
        PyErr_SetString(PyExc_TypeError, "miss must be callable");
        return -1;
    }
    Py_INCREF(miss);
    Py_XSETREF(self->miss, miss);
    if (self->entries == NULL) {
        self->capacity = INITIAL_CAPACITY;
        self->entries = PyMem_Calloc((size_t)self->capacity, sizeof(Entry));
        if (self->entries == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    return 0;
}

static PyObject *WordTable_clear(WordTable *self, PyObject *Py_UNUSED(ignored)) {
    /* (emptied before the references are dropped: a destructor may run Python code) */
    Entry *entries = self->entries;
    Py_ssize_t capacity = self->capacity;
    Entry *fresh = PyMem_Calloc(INITIAL_CAPACITY, sizeof(Entry));
    if (fresh == NULL)
        return PyErr_NoMemory();
    self->entries = fresh;
    self->capacity = INITIAL_CAPACITY;
    self->used = 0;
    self->generation++;
    if (entries != NULL) {
        clear_entries(entries, capacity);
        PyMem_Free(entries);
    }
    Py_RETURN_NONE;
}

static Py_ssize_t WordTable_len(WordTable *self) {
    return self->used;
}

static int WordTable_traverse(WordTable *self, visitproc visit, void *arg) {
    Py_VISIT(self->miss);
    return 0;
}

static int WordTable_clear_refs(WordTable *self) {
    Py_CLEAR(self->miss);
    return 0;
}

static void WordTable_dealloc(WordTable *self) {
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->miss);
    if (self->entries != NULL) {
        clear_entries(self->entries, self->capacity);
        PyMem_Free(self->entries);
        self->entries = NULL;
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef WordTable_methods[] = {
    {"analyse", (PyCFunction)WordTable_analyse, METH_VARARGS,
     "analyse(texts, content) -> (terms of each text, compound part stems of the content texts, "
     "their vocabulary: vocabulary stem -> first word)"},
    {"clear", (PyCFunction)WordTable_clear, METH_NOARGS, "Forget every word."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods WordTable_as_sequence = {
    .sq_length = (lenfunc)WordTable_len,
};

static PyTypeObject WordTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "raadhuis_native.WordTable",
    .tp_doc = "word -> (stem, vocabulary stem or None, compound part stems), filled by miss(word)",
    .tp_basicsize = sizeof(WordTable),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)WordTable_init,
    .tp_dealloc = (destructor)WordTable_dealloc,
    .tp_traverse = (traverseproc)WordTable_traverse,
    .tp_clear = (inquiry)WordTable_clear_refs,
    .tp_methods = WordTable_methods,
    .tp_as_sequence = &WordTable_as_sequence,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "raadhuis_native", "The word loop of core.analysis.analyse_fields in C.", -1, NULL,
};

PyMODINIT_FUNC PyInit_raadhuis_native(void) {
    for (int c = 0; c < 128; c++) {
        if (c >= '0' && c <= '9')
            word_byte[c] = (unsigned char)c;
        else if (c >= 'a' && c <= 'z')
            word_byte[c] = (unsigned char)c;
        else if (c >= 'A' && c <= 'Z')
            word_byte[c] = (unsigned char)(c + 32);
        else
            word_byte[c] = 0;
    }
    if (PyType_Ready(&WordTableType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&WordTableType);
    if (PyModule_AddObject(m, "WordTable", (PyObject *)&WordTableType) < 0) {
        Py_DECREF(&WordTableType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
