"""Writes the class names of the reference's datasets, in the label order its code gives them, one name a line.

The reference (okankop/Efficient-3DCNNs) numbers classes by the "labels" list of its ActivityNet-style annotation
files, which its utilities build as follows:
- Kinetics-600 (utils/kinetics_json.py): the labels of annotation_Kinetics/kinetics-600_val.csv in order of first
  appearance (pandas' unique()).
- Jester (utils/jester_json.py): annotation_Jester/classInd.txt, "<number> <name>" lines, in order.
- UCF-101 (utils/ucf101_json.py): annotation_UCF101/classInd.txt, in order; the committed ucf101_0{1,2,3}.json
  carry the same list, which is checked.

Usage (from the repository root, with a checkout of the reference's repository):
    /usr/bin/python3 zoo-tests/src/test/python/write_class_names.py PATH/TO/Efficient-3DCNNs \
        zoo-shufflenet/src/main/resources/org/shufflenet3d/zoo
"""
import csv
import json
import os
import sys


def first_appearance(csv_path):
    names = []
    seen = set()
    with open(csv_path, newline='', encoding='utf-8') as f:
        for row in csv.DictReader(f):
            if row['label'] not in seen:
                seen.add(row['label'])
                names.append(row['label'])
    return names


def class_index(path):
    names = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                number, name = line.split(maxsplit=1)
                assert int(number) == len(names) + 1, line
                names.append(name.strip())
    return names


def write(names, expected, path):
    assert len(names) == expected and len(set(names)) == expected, (path, len(names))
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write(''.join(name + '\n' for name in names))


def main(reference, out):
    write(first_appearance(os.path.join(reference, 'annotation_Kinetics', 'kinetics-600_val.csv')), 600,
          os.path.join(out, 'kinetics-600.txt'))
    write(class_index(os.path.join(reference, 'annotation_Jester', 'classInd.txt')), 27,
          os.path.join(out, 'jester.txt'))
    ucf = class_index(os.path.join(reference, 'annotation_UCF101', 'classInd.txt'))
    for split in (1, 2, 3):
        with open(os.path.join(reference, 'annotation_UCF101', 'ucf101_0%d.json' % split), encoding='utf-8') as f:
            assert json.load(f)['labels'] == ucf, split
    write(ucf, 101, os.path.join(out, 'ucf-101.txt'))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
