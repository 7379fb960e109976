#include <QtTest>

class Test_csvwriter : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_csvwriter)
#include "tst_csvwriter.moc"
